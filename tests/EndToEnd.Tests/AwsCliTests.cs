using Orchestrator.Lab;
using System.Text.Json;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The real AWS CLI drives the control plane through its ECS-compatible API, unchanged.</summary>
public sealed class AwsCliTests
{
    [Fact(Timeout = 300_000)]
    public async Task AwsCli_TaskLifecycle_WorksUnchanged()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var aws = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);
        var name = cluster.ClusterName;

        var registered = await aws.JsonAsync("ecs", "register-task-definition", "--cli-input-json", "file://" + Programs.Example("httpd.json"));
        Assert.Equal("httpd", registered.GetProperty("taskDefinition").GetProperty("family").GetString());

        var run = await aws.JsonAsync("ecs", "run-task", "--cluster", name, "--task-definition", "httpd", "--started-by", "awscli");
        var taskArn = run.GetProperty("tasks")[0].GetProperty("taskArn").GetString()!;
        (await aws.RunAsync("ecs", "wait", "tasks-running", "--cluster", name, "--tasks", taskArn)).EnsureSuccess();

        var task = (await aws.JsonAsync("ecs", "describe-tasks", "--cluster", name, "--tasks", taskArn)).GetProperty("tasks")[0];
        Assert.Equal("RUNNING", task.GetProperty("lastStatus").GetString());
        var binding = task.GetProperty("containers")[0].GetProperty("networkBindings")[0];
        Assert.Equal(80, binding.GetProperty("containerPort").GetInt32());
        using var http = new HttpClient();
        var page = await http.GetStringAsync(new Uri($"http://127.0.0.1:{binding.GetProperty("hostPort").GetInt32()}/"), TestContext.Current.CancellationToken);
        Assert.Contains("Hello", page, StringComparison.Ordinal);

        var listed = await aws.JsonAsync("ecs", "list-tasks", "--cluster", name, "--started-by", "awscli");
        Assert.Equal(taskArn, Assert.Single(listed.GetProperty("taskArns").EnumerateArray().ToList()).GetString());

        (await aws.RunAsync("ecs", "stop-task", "--cluster", name, "--task", taskArn, "--reason", "done with it")).EnsureSuccess();
        (await aws.RunAsync("ecs", "wait", "tasks-stopped", "--cluster", name, "--tasks", taskArn)).EnsureSuccess();
        var stopped = (await aws.JsonAsync("ecs", "describe-tasks", "--cluster", name, "--tasks", taskArn)).GetProperty("tasks")[0];
        Assert.Equal("done with it", stopped.GetProperty("stoppedReason").GetString());
        Assert.Equal("UserInitiated", stopped.GetProperty("stopCode").GetString());

        var instances = await aws.JsonAsync("ecs", "list-container-instances", "--cluster", name);
        var instanceArn = Assert.Single(instances.GetProperty("containerInstanceArns").EnumerateArray().ToList()).GetString()!;
        var instance = (await aws.JsonAsync("ecs", "describe-container-instances", "--cluster", name, "--container-instances", instanceArn))
            .GetProperty("containerInstances")[0];
        Assert.True(instance.GetProperty("agentConnected").GetBoolean());
        Assert.Contains(instance.GetProperty("attributes").EnumerateArray(), a => a.GetProperty("name").GetString() == "ecs.os-type");
    }

    [Fact(Timeout = 180_000)]
    public async Task AwsCli_ListsPaginateAndErrorsAreEcsErrors()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var aws = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);
        for (var i = 0; i < 5; i++)
        {
            (await aws.RunAsync("ecs", "register-task-definition", "--family", $"page{i}",
                "--container-definitions", """[{"name":"a","image":"local/busybox:1","memory":16}]""")).EnsureSuccess();
        }

        // --page-size sets maxResults; the CLI follows nextToken and merges every page.
        var all = await aws.JsonAsync("ecs", "list-task-definitions", "--family-prefix", "page", "--page-size", "2");
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"page{i}:1"), Arns(all, "taskDefinitionArns").Select(a => a[(a.LastIndexOf('/') + 1)..]));

        // --max-items stops early and hands out a NextToken that --starting-token resumes from.
        var first = await aws.JsonAsync("ecs", "list-task-definition-families", "--family-prefix", "page", "--max-items", "2");
        Assert.Equal(["page0", "page1"], Arns(first, "families"));
        var rest = await aws.JsonAsync("ecs", "list-task-definition-families", "--family-prefix", "page", "--starting-token", first.GetProperty("NextToken").GetString()!);
        Assert.Equal(["page2", "page3", "page4"], Arns(rest, "families"));

        await ExpectErrorAsync(aws, ["ecs", "run-task", "--cluster", "no-such-cluster", "--task-definition", "page0"],
            "An error occurred (ClusterNotFoundException) when calling the RunTask operation: Cluster not found.");
        await ExpectErrorAsync(aws, ["ecs", "describe-task-definition", "--task-definition", "nothing-here"],
            "An error occurred (ClientException) when calling the DescribeTaskDefinition operation: Unable to describe task definition.");
        await ExpectErrorAsync(aws, ["ecs", "stop-task", "--cluster", cluster.ClusterName, "--task", "0123456789abcdef0123456789abcdef"],
            "An error occurred (InvalidParameterException) when calling the StopTask operation: The referenced task was not found.");
        await ExpectErrorAsync(aws, ["ecs", "register-task-definition", "--family", "x", "--container-definitions", """[{"name":"a","memory":16}]"""],
            "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: Container.image should not be null or empty.");
        await ExpectErrorAsync(aws, ["ecs", "discover-poll-endpoint", "--cluster", cluster.ClusterName],
            "An error occurred (UnknownOperationException) when calling the DiscoverPollEndpoint operation: The action DiscoverPollEndpoint is not implemented by this control plane.");

        var wrongSecret = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", LocalCluster.AccessKeyId, "not-the-secret");
        await ExpectErrorAsync(wrongSecret, ["ecs", "list-clusters"],
            "An error occurred (InvalidSignatureException) when calling the ListClusters operation: The request signature we calculated does not match");
        var unknownKey = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", "AKIDNOBODY", LocalCluster.SecretAccessKey);
        await ExpectErrorAsync(unknownKey, ["ecs", "list-clusters"],
            "An error occurred (UnrecognizedClientException) when calling the ListClusters operation: The security token included in the request is invalid.");
    }

    [Fact(Timeout = 300_000)]
    public async Task AwsCli_ServiceLifecycle_WorksUnchanged()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var aws = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);
        var name = cluster.ClusterName;
        (await aws.RunAsync("ecs", "register-task-definition", "--cli-input-json", "file://" + Programs.Example("httpd.json"))).EnsureSuccess();

        var created = await aws.JsonAsync("ecs", "create-service", "--cluster", name, "--service-name", "web", "--task-definition", "httpd",
            "--desired-count", "2", "--deployment-configuration", "maximumPercent=200,minimumHealthyPercent=50,deploymentCircuitBreaker={enable=true,rollback=true}");
        Assert.Equal("ACTIVE", created.GetProperty("service").GetProperty("status").GetString());
        (await aws.RunAsync("ecs", "wait", "services-stable", "--cluster", name, "--services", "web")).EnsureSuccess();

        var listed = await aws.JsonAsync("ecs", "list-tasks", "--cluster", name, "--service-name", "web");
        Assert.Equal(2, listed.GetProperty("taskArns").GetArrayLength());

        var updated = await aws.JsonAsync("ecs", "update-service", "--cluster", name, "--service", "web", "--desired-count", "1", "--force-new-deployment");
        Assert.Equal(2, updated.GetProperty("service").GetProperty("deployments").GetArrayLength());
        (await aws.RunAsync("ecs", "wait", "services-stable", "--cluster", name, "--services", "web")).EnsureSuccess();
        var service = (await aws.JsonAsync("ecs", "describe-services", "--cluster", name, "--services", "web")).GetProperty("services")[0];
        Assert.Equal(1, service.GetProperty("runningCount").GetInt32());
        Assert.Contains(service.GetProperty("events").EnumerateArray(), e => e.GetProperty("message").GetString() == "(service web) has reached a steady state.");

        await ExpectErrorAsync(aws, ["ecs", "delete-service", "--cluster", name, "--service", "web"],
            "An error occurred (InvalidParameterException) when calling the DeleteService operation: The service cannot be stopped while it is scaled above 0.");
        var deleted = await aws.JsonAsync("ecs", "delete-service", "--cluster", name, "--service", "web", "--force");
        Assert.Equal("DRAINING", deleted.GetProperty("service").GetProperty("status").GetString());
        (await aws.RunAsync("ecs", "wait", "services-inactive", "--cluster", name, "--services", "web")).EnsureSuccess();
        await ExpectErrorAsync(aws, ["ecs", "update-service", "--cluster", name, "--service", "web", "--desired-count", "3"],
            "An error occurred (ServiceNotActiveException) when calling the UpdateService operation: Service was not ACTIVE.");
        await ExpectErrorAsync(aws, ["ecs", "update-service", "--cluster", name, "--service", "nothing", "--desired-count", "3"],
            "An error occurred (ServiceNotFoundException) when calling the UpdateService operation: Service not found.");
    }

    private static List<string> Arns(JsonElement document, string member) =>
        document.GetProperty(member).EnumerateArray().Select(e => e.GetString()!).ToList();

    private static async Task ExpectErrorAsync(AwsCli aws, string[] arguments, string message)
    {
        var result = await aws.RunAsync(arguments);
        Assert.Equal(254, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }
}
