using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Nothing acknowledged is lost when the control plane or the agent restarts, gracefully or not.</summary>
public sealed class RestartTests
{
    [Fact(Timeout = 240_000)]
    public async Task RestartBoth_TaskDefinitionTaskAndInstanceSurvive_AgentIsTheSameInstance()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var instanceBefore = await cluster.WaitForConnectedInstanceAsync();
        (await cluster.OrchAsync("taskdef", "register", "--file", Programs.Example("httpd.json"))).EnsureSuccess();
        (await cluster.OrchAsync("task", "run", "--cluster", cluster.ClusterName, "--task-definition", "httpd", "--wait")).EnsureSuccess();
        var before = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "list", "--cluster", cluster.ClusterName)).Tasks);
        var startedBefore = (await cluster.Docker.Containers.InspectContainerAsync(before.Containers[0].RuntimeId!, TestContext.Current.CancellationToken)).State!.StartedAt;

        await cluster.Agent!.StopAsync(TimeSpan.FromSeconds(30));
        await cluster.ControlPlane!.StopAsync(TimeSpan.FromSeconds(30));
        await cluster.StartControlPlaneAsync();
        await cluster.StartAgentAsync();

        var instanceAfter = await cluster.WaitForConnectedInstanceAsync();
        Assert.Equal(instanceBefore.GetProperty("containerInstanceArn").GetString(), instanceAfter.GetProperty("containerInstanceArn").GetString());
        var definition = (await cluster.OrchJsonAsync<TaskDefinitionResponse>("taskdef", "describe", "httpd")).TaskDefinition;
        Assert.Equal(1, definition.Revision);
        var after = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "list", "--cluster", cluster.ClusterName)).Tasks);
        Assert.Equal(before.TaskArn, after.TaskArn);
        Assert.Equal("RUNNING", after.LastStatus);

        // The agent adopted the container: same container, never restarted, still answering.
        var inspect = await cluster.Docker.Containers.InspectContainerAsync(before.Containers[0].RuntimeId!, TestContext.Current.CancellationToken);
        Assert.True(inspect.State!.Running);
        Assert.Equal(startedBefore, inspect.State!.StartedAt);
        using var http = new HttpClient();
        var port = after.Containers[0].NetworkBindings.First().HostPort;
        Assert.Contains("Hello", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact(Timeout = 240_000)]
    public async Task KillControlPlane_AcknowledgedTaskDefinitionAndTaskSurvive()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        (await cluster.OrchAsync("taskdef", "register", "--file", Programs.Example("httpd.json"))).EnsureSuccess();
        var placed = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "run", "--cluster", cluster.ClusterName, "--task-definition", "httpd")).Tasks);

        cluster.ControlPlane!.KillHard(); // right after the acknowledgement: no graceful shutdown
        await cluster.StartControlPlaneAsync();

        var definition = (await cluster.OrchJsonAsync<TaskDefinitionResponse>("taskdef", "describe", "httpd:1")).TaskDefinition;
        Assert.Equal("ACTIVE", definition.Status);
        await Eventually.Async(async () =>
        {
            var task = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, placed.TaskArn)).Tasks);
            Assert.Equal("RUNNING", task.LastStatus);
        }, TimeSpan.FromSeconds(60), cluster.Diagnostics);
        Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "list", "--cluster", cluster.ClusterName)).Tasks);
    }
}
