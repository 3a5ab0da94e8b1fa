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

    [Fact(Timeout = 360_000)]
    public async Task KilledEssentialContainer_WithALingeringSidecar_ReplacementRunsBeforeTheOldTaskHasStopped()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var definition = Path.Combine(Path.GetTempPath(), $"orch-sidecar-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(definition, """
            {"family":"web","containerDefinitions":[
              {"name":"web","image":"local/busybox:1","memory":32,"essential":true,
               "command":["httpd","-f","-p","80"],"portMappings":[{"containerPort":80}]},
              {"name":"sidecar","image":"local/busybox:1","memory":16,"essential":false,"stopTimeout":30,
               "command":["sleep","600"]}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", definition)).EnsureSuccess();
        File.Delete(definition);
        (await cluster.OrchAsync("service", "create", "web", "--cluster", cluster.ClusterName, "-t", "web", "-n", "1", "--wait", "--timeout", "2m")).EnsureSuccess();
        var old = Assert.Single(await ServiceTests.ServiceTasksAsync(cluster));
        var oldPort = old.Containers.Single(c => c.Name == "web").NetworkBindings[0].HostPort;

        // sleep as PID 1 ignores SIGTERM: the old task takes the sidecar's 30 s stop timeout to end. How long the
        // replacement took is printed, not asserted: what must hold is that it runs while the old task is still stopping.
        var killed = Stopwatch.StartNew();
        await cluster.Docker.Containers.KillContainerAsync(old.Containers.Single(c => c.Name == "web").RuntimeId!, new ContainerKillParameters(), Token);
        EcsTask replacement = null!;
        await Eventually.Async(async () =>
        {
            replacement = Assert.Single(await ServiceTests.ServiceTasksAsync(cluster), t => t.TaskArn != old.TaskArn && t.LastStatus == TaskStatus.Running);
        }, TimeSpan.FromSeconds(25), cluster.Diagnostics);
        var replacedAfter = killed.Elapsed;
        var oldNow = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, old.TaskArn)).Tasks);
        TestContext.Current.TestOutputHelper?.WriteLine($"killed essential container → replacement RUNNING: {replacedAfter.TotalSeconds:0.0} s (old task {oldNow.LastStatus})");

        Assert.NotEqual(TaskStatus.Stopped, oldNow.LastStatus);
        Assert.Equal(TaskStatus.Stopped, oldNow.DesiredStatus);
        Assert.Equal(TaskStopCode.EssentialContainerExited, oldNow.StopCode);
        Assert.NotEqual(oldPort, replacement.Containers.Single(c => c.Name == "web").NetworkBindings[0].HostPort);
        await Eventually.Async(async () => Assert.Equal(TaskStatus.Stopped, Assert.Single((await cluster.OrchJsonAsync<TasksResponse>(
            "task", "describe", "--cluster", cluster.ClusterName, old.TaskArn)).Tasks).LastStatus), TimeSpan.FromSeconds(60), cluster.Diagnostics);

        // StopTask on a service task: the same, the service replaces it while its sidecar still takes its stop timeout.
        var stopAsked = Stopwatch.StartNew();
        (await cluster.OrchAsync("task", "stop", "--cluster", cluster.ClusterName, replacement.TaskArn)).EnsureSuccess();
        EcsTask second = null!;
        await Eventually.Async(async () =>
        {
            second = Assert.Single(await ServiceTests.ServiceTasksAsync(cluster), t => t.TaskArn != replacement.TaskArn && t.LastStatus == TaskStatus.Running);
        }, TimeSpan.FromSeconds(25), cluster.Diagnostics);
        var secondAfter = stopAsked.Elapsed;
        var stoppedNow = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, replacement.TaskArn)).Tasks);
        TestContext.Current.TestOutputHelper?.WriteLine($"StopTask → replacement RUNNING: {secondAfter.TotalSeconds:0.0} s (stopped task {stoppedNow.LastStatus})");
        Assert.NotEqual(TaskStatus.Stopped, stoppedNow.LastStatus);
        Assert.Equal(TaskStatus.Stopped, stoppedNow.DesiredStatus);
    }

    /// <summary>
    /// The old task's static host port is its own until it is STOPPED: on a one-instance cluster the replacement, which
    /// wants the same port, is placed only once the old task has really stopped, and then gets the port.
    /// </summary>
    [Fact(Timeout = 360_000)]
    public async Task KilledEssentialContainer_WithAStaticHostPort_ReplacementWaitsForThePortUntilTheOldTaskIsStopped()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var port = FreePort();
        var definition = Path.Combine(Path.GetTempPath(), $"orch-pinned-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(definition, $$"""
            {"family":"pinned","containerDefinitions":[
              {"name":"web","image":"local/busybox:1","memory":32,"essential":true,
               "command":["httpd","-f","-p","80"],"portMappings":[{"containerPort":80,"hostPort":{{port}}}]},
              {"name":"sidecar","image":"local/busybox:1","memory":16,"essential":false,"stopTimeout":20,
               "command":["sh","-c","trap '' TERM; while true; do sleep 1; done"]}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", definition)).EnsureSuccess();
        File.Delete(definition);
        (await cluster.OrchAsync("service", "create", "pinned", "--cluster", cluster.ClusterName, "-t", "pinned", "-n", "1", "--wait", "--timeout", "2m")).EnsureSuccess();
        var old = Assert.Single(await ServiceTests.ServiceTasksAsync(cluster, "pinned"));
        Assert.Equal(port, old.Containers.Single(c => c.Name == "web").NetworkBindings[0].HostPort);

        var killed = Stopwatch.StartNew();
        await cluster.Docker.Containers.KillContainerAsync(old.Containers.Single(c => c.Name == "web").RuntimeId!, new ContainerKillParameters(), Token);

        // Until the old task is STOPPED, no other task of the cluster is RUNNING or bound to its port.
        TimeSpan? oldStoppedAt = null;
        var looks = 0;
        for (var i = 0; i < 300 && oldStoppedAt is null; i++, looks++)
        {
            var others = (await cluster.OrchJsonAsync<TasksResponse>("task", "list", "--cluster", cluster.ClusterName)).Tasks.Where(t => t.TaskArn != old.TaskArn).ToList();
            var oldNow = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, old.TaskArn)).Tasks);
            if (oldNow.LastStatus == TaskStatus.Stopped)
            {
                oldStoppedAt = killed.Elapsed;
                break;
            }

            Assert.Equal(TaskStatus.Stopped, oldNow.DesiredStatus);
            Assert.DoesNotContain(others, t => t.LastStatus == TaskStatus.Running);
            Assert.DoesNotContain(others, t => t.Containers.Any(c => c.NetworkBindings.Any(b => b.HostPort == port)));
            await Task.Delay(200, Token);
        }

        Assert.True(oldStoppedAt is not null, "the old task did not stop within its stop timeout\n" + cluster.Diagnostics());
        EcsTask replacement = null!;
        await Eventually.Async(async () =>
        {
            replacement = Assert.Single(await ServiceTests.ServiceTasksAsync(cluster, "pinned"), t => t.TaskArn != old.TaskArn && t.LastStatus == TaskStatus.Running);
        }, TimeSpan.FromSeconds(30), cluster.Diagnostics);
        var replacedAt = killed.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"static host port: killed → old task STOPPED {oldStoppedAt.Value.TotalSeconds:0.0} s, → replacement RUNNING {replacedAt.TotalSeconds:0.0} s ({looks} looks while it held the port)");
        Assert.Equal(port, replacement.Containers.Single(c => c.Name == "web").NetworkBindings[0].HostPort);
        // Placed only once the old task was STOPPED (both times are the control plane's): the port was never promised twice.
        var oldStopped = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, old.TaskArn)).Tasks);
        Assert.True(replacement.CreatedAt >= oldStopped.StoppedAt, $"replacement created {replacement.CreatedAt:O}, old task stopped {oldStopped.StoppedAt:O}");
        Assert.True(oldStopped.StoppedAt - oldStopped.StoppingAt >= TimeSpan.FromSeconds(10), $"the old task went down {oldStopped.StoppingAt:O} and stopped {oldStopped.StoppedAt:O}: its sidecar did not linger");
        // The service did try while the old task was going down, and placement refused for the port.
        var events = (await ServiceTests.DescribeAsync(cluster, "pinned")).Events.Select(e => e.Message).ToList();
        Assert.Contains(events, m => m.Contains("unable to place a task", StringComparison.Ordinal) && m.Contains("port", StringComparison.OrdinalIgnoreCase));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Async(async () =>
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"), Token);
            Assert.NotEqual(0, (int)response.StatusCode); // httpd answers (404 for an empty root is an answer)
        }, TimeSpan.FromSeconds(15), cluster.Diagnostics);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
