using System.Diagnostics;
using Docker.DotNet.Models;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// A service task going down is replaced at once, not after its slowest container has stopped: the replacement runs
/// while the old task (a sidecar that ignores SIGTERM) is still stopping, and the old task's host port stays its own
/// until it is STOPPED.
/// </summary>
public sealed class ReplacementTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 240_000)]
    public async Task KilledEssentialContainer_WithALingeringSidecar_ReplacementRunsBeforeTheOldTaskHasStopped()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var definition = Path.Combine(Path.GetTempPath(), $"orch-sidecar-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(definition, """
            {"family":"web","containerDefinitions":[
              {"name":"web","image":"local/busybox:1","memory":32,"essential":true,
               "command":["httpd","-f","-p","80"],"portMappings":[{"containerPort":80}]},
              {"name":"sidecar","image":"local/busybox:1","memory":16,"essential":false,"stopTimeout":20,
               "command":["sleep","600"]}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", definition)).EnsureSuccess();
        File.Delete(definition);
        (await cluster.OrchAsync("service", "create", "web", "--cluster", cluster.ClusterName, "-t", "web", "-n", "1", "--wait", "--timeout", "2m")).EnsureSuccess();
        var old = Assert.Single(await ServiceTests.ServiceTasksAsync(cluster));
        var oldPort = old.Containers.Single(c => c.Name == "web").NetworkBindings[0].HostPort;

        // sleep as PID 1 ignores SIGTERM: the old task takes the sidecar's 20 s stop timeout to end.
        var killed = Stopwatch.StartNew();
        await cluster.Docker.Containers.KillContainerAsync(old.Containers.Single(c => c.Name == "web").RuntimeId!, new ContainerKillParameters(), Token);
        EcsTask replacement = null!;
        await Eventually.Async(async () =>
        {
            replacement = Assert.Single(await ServiceTests.ServiceTasksAsync(cluster), t => t.TaskArn != old.TaskArn && t.LastStatus == TaskStatus.Running);
        }, TimeSpan.FromSeconds(15), cluster.Diagnostics);
        var replacedAfter = killed.Elapsed;
        var oldNow = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, old.TaskArn)).Tasks);
        TestContext.Current.TestOutputHelper?.WriteLine($"killed essential container → replacement RUNNING: {replacedAfter.TotalSeconds:0.0} s (old task {oldNow.LastStatus})");

        Assert.NotEqual(TaskStatus.Stopped, oldNow.LastStatus);
        Assert.Equal(TaskStatus.Stopped, oldNow.DesiredStatus);
        Assert.Equal(TaskStopCode.EssentialContainerExited, oldNow.StopCode);
        Assert.NotEqual(oldPort, replacement.Containers.Single(c => c.Name == "web").NetworkBindings[0].HostPort);
        Assert.True(replacedAfter < TimeSpan.FromSeconds(10), $"the replacement took {replacedAfter.TotalSeconds:0.0} s");
        await Eventually.Async(async () => Assert.Equal(TaskStatus.Stopped, Assert.Single((await cluster.OrchJsonAsync<TasksResponse>(
            "task", "describe", "--cluster", cluster.ClusterName, old.TaskArn)).Tasks).LastStatus), TimeSpan.FromSeconds(60), cluster.Diagnostics);
    }
}
