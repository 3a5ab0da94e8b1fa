using System.Diagnostics;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>The lab's chaos helpers do what they say, and the agent and control plane live through them.</summary>
[Collection(LabCollection.Name)]
public sealed class LabChaosTests
{
    /// <summary>What the control plane logs when it closes a session for want of heartbeats.</summary>
    private const string SilentAgent = "marking it disconnected";

    [Fact(Timeout = 240_000)]
    public async Task Partition_AgentShownDisconnected_HealReconnectsWithTheTaskUntouched()
    {
        var token = TestContext.Current.CancellationToken;
        await using var lab = await LabCluster.StartAsync(new LabOptions { Hosts = 2, AgentHeartbeatTimeout = TimeSpan.FromSeconds(5) });
        (await lab.OrchAsync("taskdef", "register", "--file", Programs.Example("httpd.json"))).EnsureSuccess();
        var task = Assert.Single((await lab.OrchJsonAsync<TasksResponse>("task", "run", "--cluster", lab.ClusterName, "--task-definition", "httpd", "--wait")).Tasks);
        var host = await lab.HostOfAsync(task);
        var container = Assert.Single(task.Containers);
        var startedAt = (await host.Docker.Containers.InspectContainerAsync(container.RuntimeId!, token)).State!.StartedAt;
        var url = new Uri($"http://{host.Address}:{container.NetworkBindings.First().HostPort}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        Assert.Contains("Hello", await http.GetStringAsync(url, token), StringComparison.Ordinal);
        Assert.DoesNotContain(SilentAgent, lab.ControlPlane!.Output, StringComparison.Ordinal); // no disconnection but the partition's

        await host.PartitionAsync();
        var partitioned = Stopwatch.StartNew();
        await lab.WaitForAgentAsync(host, connected: false, TimeSpan.FromSeconds(20));
        var noticed = partitioned.Elapsed;
        await Assert.ThrowsAnyAsync<Exception>(() => http.GetStringAsync(url, token)); // cut off from the root namespace
        var other = lab.Hosts.Single(h => h != host);
        await Assert.ThrowsAnyAsync<Exception>(() => other.HttpGetAsync(url, TimeSpan.FromSeconds(3))); // and from the other host
        Assert.True((await lab.InstanceAsync(other)).AgentConnected, "the other host's agent lost its connection too");

        await host.HealAsync();
        var healed = Stopwatch.StartNew();
        await lab.WaitForAgentAsync(host, connected: true, TimeSpan.FromSeconds(90));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"partition noticed after {noticed.TotalSeconds:0.0} s; reconnected {healed.Elapsed.TotalSeconds:0.0} s after healing");

        var after = Assert.Single((await lab.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", lab.ClusterName, task.TaskArn)).Tasks);
        Assert.Equal("RUNNING", after.LastStatus);
        Assert.Equal(container.RuntimeId, Assert.Single(after.Containers).RuntimeId);
        var inspect = await host.Docker.Containers.InspectContainerAsync(container.RuntimeId!, token);
        Assert.True(inspect.State!.Running);
        Assert.Equal(startedAt, inspect.State.StartedAt); // never restarted
        Assert.Contains("Hello", await http.GetStringAsync(url, token), StringComparison.Ordinal);
    }

    [Fact(Timeout = 240_000)]
    public async Task RestartDockerd_AgentStaysConnected_TheEngineAnswersAndRunsTasks()
    {
        var token = TestContext.Current.CancellationToken;
        await using var lab = await LabCluster.StartAsync(new LabOptions { Hosts = 1, AgentHeartbeatTimeout = TimeSpan.FromSeconds(5) });
        var host = lab.Hosts[0];
        var engineId = (await host.Docker.System.GetSystemInfoAsync(token)).ID;
        var firstDockerd = host.Dockerd!.Id;

        await host.RestartDockerdAsync();

        Assert.NotEqual(firstDockerd, host.Dockerd!.Id);
        var info = (await host.DockerAsync("info", "--format", "{{.ID}}")).EnsureSuccess();
        Assert.Equal(engineId, info.Stdout.Trim()); // the same engine, on the same data root
        Assert.True((await lab.InstanceAsync(host)).AgentConnected);
        // Stays connected: longer than the heartbeat timeout after the restart.
        await Task.Delay(TimeSpan.FromSeconds(7), token);
        Assert.True((await lab.InstanceAsync(host)).AgentConnected, "the agent was marked disconnected after dockerd restarted");
        Assert.DoesNotContain(SilentAgent, lab.ControlPlane!.Output, StringComparison.Ordinal);

        // And the agent still drives the new dockerd.
        (await lab.OrchAsync("taskdef", "register", "--file", Programs.Example("httpd.json"))).EnsureSuccess();
        var run = await lab.OrchAsync("task", "run", "--cluster", lab.ClusterName, "--task-definition", "httpd", "--wait", "--timeout", "60s", "--output", "json");
        Assert.True(run.ExitCode == 0, $"{run.Stdout}\n{run.Stderr}\n{lab.Diagnostics()}");
    }
}
