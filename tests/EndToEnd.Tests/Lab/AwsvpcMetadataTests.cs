using System.Text.Json;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>
/// awsvpc tasks on a lab host read the task metadata endpoint: their macvlan interface cannot reach their own host,
/// so the pause container also joins the agent's internal metadata network, and the endpoint answers there. A task
/// sees its own task only; another task's token is refused; the task's default route stays on its own address.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class AwsvpcMetadataTests
{
    private const string Subnet = "subnet-meta";

    [Fact(Timeout = 300_000)]
    public async Task AwsvpcTasks_ReadTheirOwnTaskAndStats_NotTheOthers()
    {
        var token = TestContext.Current.CancellationToken;
        await using var lab = await LabCluster.StartAsync(new LabOptions
        {
            Hosts = 1,
            AgentArguments = ["--awsvpc-interface", "eth0", "--Agent:StatsInterval=00:00:01"],
            ControlPlaneNetworkArguments = network =>
                ["--subnet", $"{Subnet} cidr={network.Subnet} range={network.Address(128)}-{network.Address(135)} gateway={network.Gateway}"],
        });
        var file = Path.Combine(Path.GetTempPath(), $"orch-meta-awsvpc-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, EcsJson.Serialize(new RegisterTaskDefinitionRequest
        {
            Family = "meta-awsvpc",
            NetworkMode = NetworkModes.Awsvpc,
            ContainerDefinitions = [new ContainerDefinition { Name = "app", Image = "local/busybox:1", Memory = 32, Command = ["sleep", "600"], StopTimeout = 1 }],
        }), token);
        (await lab.OrchAsync("taskdef", "register", "--file", file)).EnsureSuccess();
        File.Delete(file);

        var tasks = (await lab.OrchJsonAsync<TasksResponse>("task", "run", "--cluster", lab.ClusterName, "--task-definition", "meta-awsvpc",
            "--count", "2", "--subnets", Subnet, "--wait", "--timeout", "120s")).Tasks;
        Assert.Equal(2, tasks.Count);
        var described = (await lab.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", lab.ClusterName, tasks[0].TaskArn, tasks[1].TaskArn)).Tasks;
        var a = described.Single(t => t.TaskArn == tasks[0].TaskArn);
        var b = described.Single(t => t.TaskArn == tasks[1].TaskArn);
        var host = lab.Hosts[0];
        var (idA, idB) = (a.Containers[0].RuntimeId!, b.Containers[0].RuntimeId!);

        var uriA = await ShAsync(host, idA, "echo $ECS_CONTAINER_METADATA_URI_V4");
        var uriB = await ShAsync(host, idB, "echo $ECS_CONTAINER_METADATA_URI_V4");
        Assert.StartsWith("http://169.254.172.1:51679/v4/", uriA, StringComparison.Ordinal);

        using var task = JsonDocument.Parse(await ShAsync(host, idA, "wget -qO- $ECS_CONTAINER_METADATA_URI_V4/task"));
        Assert.Equal(a.TaskArn, task.RootElement.GetProperty("TaskARN").GetString());
        var containers = task.RootElement.GetProperty("Containers").EnumerateArray().ToList();
        Assert.Contains(containers, c => c.GetProperty("DockerId").GetString() == idA);
        Assert.Contains(containers, c => c.GetProperty("Type").GetString() == "CNI_PAUSE");
        var network = containers.Single(c => c.GetProperty("DockerId").GetString() == idA).GetProperty("Networks")[0];
        Assert.Equal("awsvpc", network.GetProperty("NetworkMode").GetString());
        Assert.Equal(a.Attachments![0].Detail(AttachmentDetails.PrivateIpv4Address), network.GetProperty("IPv4Addresses")[0].GetString());

        await Eventually.Async(async () =>
        {
            using var stats = JsonDocument.Parse(await ShAsync(host, idA, "wget -qO- $ECS_CONTAINER_METADATA_URI_V4/stats"));
            Assert.Equal(idA, stats.RootElement.GetProperty("id").GetString());
            Assert.True(stats.RootElement.GetProperty("memory_stats").GetProperty("usage").GetInt64() > 0);
        }, TimeSpan.FromSeconds(30), lab.Diagnostics);

        // B's token from A: refused (A's address is not B's), as is a guess.
        var stolen = await ShAsync(host, idA, $"wget -S -qO- {uriB}/task 2>&1; true");
        Assert.Contains("404", stolen, StringComparison.Ordinal);
        Assert.DoesNotContain(b.TaskArn, stolen, StringComparison.Ordinal);
        var guessed = await ShAsync(host, idA, $"wget -S -qO- {uriA[..uriA.LastIndexOf('/')]}/{new string('f', 32)}/task 2>&1; true");
        Assert.Contains("404", guessed, StringComparison.Ordinal);

        // On the metadata network a task reaches the agent's side, never another task (inter-container traffic off).
        var pauseB = (await host.DockerAsync("ps", "-q", "--no-trunc", "--filter", $"label=com.amazonaws.ecs.task-arn={b.TaskArn}",
            "--filter", "label=com.amazonaws.ecs.container-name=~internal~ecs~pause")).EnsureSuccess().Stdout.Trim();
        var ipB = (await host.DockerAsync("inspect", "-f", "{{(index .NetworkSettings.Networks \"orch-metadata\").IPAddress}}", pauseB)).EnsureSuccess().Stdout.Trim();
        Assert.StartsWith("169.254.17", ipB, StringComparison.Ordinal);
        Assert.Equal("reached", await ShAsync(host, idA, "ping -c1 -W2 169.254.172.1 >/dev/null && echo reached || echo isolated"));
        Assert.Equal("isolated", await ShAsync(host, idA, $"ping -c1 -W2 {ipB} >/dev/null && echo reached || echo isolated"));

        // The default route is still the task's own interface, not the metadata network.
        var routes = await ShAsync(host, idA, "ip route");
        Assert.Contains($"default via {lab.Network.Gateway}", routes, StringComparison.Ordinal);

        (await lab.OrchAsync("task", "stop", "--cluster", lab.ClusterName, a.TaskArn)).EnsureSuccess();
        (await lab.OrchAsync("task", "stop", "--cluster", lab.ClusterName, b.TaskArn)).EnsureSuccess();
    }

    private static async Task<string> ShAsync(LabHost host, string containerId, string script) =>
        (await host.DockerAsync("exec", containerId, "sh", "-c", script)).EnsureSuccess().Stdout.Trim();
}
