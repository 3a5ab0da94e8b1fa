using Orchestrator.Lab;
using System.Diagnostics;
using Docker.DotNet.Models;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Services on real Docker with several agents, driven through the CLI.</summary>
public sealed class ServiceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task ReplicaService_ReplacesAKilledContainer_AndRollsOutANewImageWithinBounds()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        await cluster.AddAgentAsync();
        await cluster.WaitForConnectedInstancesAsync(2);
        await TagImageAsync(cluster, "local/busybox:1", "local/busybox", "e2e-v2");
        await RegisterAsync(cluster, "web", "local/busybox:1", HealthyCheck);
        await RegisterAsync(cluster, "web", "local/busybox:e2e-v2", HealthyCheck);

        (await cluster.OrchAsync("service", "create", "web", "--cluster", cluster.ClusterName, "-t", "web:1", "-n", "4", "--wait", "--timeout", "2m")).EnsureSuccess();
        var tasks = await ServiceTasksAsync(cluster);
        Assert.Equal(4, tasks.Count);
        Assert.Equal(2, tasks.Select(t => t.ContainerInstanceArn).Distinct().Count());

        // docker kill one container: the service replaces it.
        var victim = tasks[0];
        var killedAt = Stopwatch.StartNew();
        await cluster.Docker.Containers.KillContainerAsync(victim.Containers[0].RuntimeId!, new ContainerKillParameters(), Token);
        await Eventually.Async(async () =>
        {
            var now = await ServiceTasksAsync(cluster);
            Assert.Equal(4, now.Count(t => t.LastStatus == "RUNNING" && t.HealthStatus == "HEALTHY"));
            Assert.DoesNotContain(now, t => t.TaskArn == victim.TaskArn);
        }, TimeSpan.FromSeconds(60), cluster.Diagnostics);
        TestContext.Current.TestOutputHelper?.WriteLine($"killed container → replacement RUNNING and HEALTHY: {killedAt.Elapsed.TotalSeconds:0.0} s");

        // Roll out the new image; sample the healthy (RUNNING) count the whole time.
        var minimum = 4; // minimumHealthyPercent 100
        var samples = new List<int>();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                samples.Add((await ServiceTasksAsync(cluster)).Count(t => t.LastStatus == "RUNNING" && t.HealthStatus == "HEALTHY"));
                await Task.Delay(200, CancellationToken.None);
            }
        }, CancellationToken.None);
        var rollout = Stopwatch.StartNew();
        (await cluster.OrchAsync("service", "update", "web", "--cluster", cluster.ClusterName, "-t", "web:2", "--wait", "--timeout", "3m")).EnsureSuccess();
        rollout.Stop();
        await sampling.CancelAsync();
        await sampler;
        TestContext.Current.TestOutputHelper?.WriteLine($"4-task rolling update: {rollout.Elapsed.TotalSeconds:0.0} s; healthy samples min {samples.Min()} over {samples.Count}");

        Assert.True(samples.Min() >= minimum, $"the healthy count fell to {samples.Min()}");
        var after = await ServiceTasksAsync(cluster);
        Assert.Equal(4, after.Count);
        Assert.All(after, t => Assert.EndsWith("task-definition/web:2", t.TaskDefinitionArn, StringComparison.Ordinal));
        var service = await DescribeAsync(cluster, "web");
        Assert.Equal(RolloutStates.Completed, Assert.Single(service.Deployments).RolloutState);
    }

    [Fact(Timeout = 300_000)]
    public async Task DaemonService_RunsOnAnAgentThatJoinsLater_AndDrainingMovesReplicaTasks()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        await RegisterAsync(cluster, "daemon", "local/busybox:1");
        await RegisterAsync(cluster, "web", "local/busybox:1");

        (await cluster.OrchAsync("service", "create", "logs", "--cluster", cluster.ClusterName, "-t", "daemon", "--daemon", "--wait", "--timeout", "2m")).EnsureSuccess();
        Assert.Single(await ServiceTasksAsync(cluster, "logs"));

        await cluster.AddAgentAsync();
        var instances = await cluster.WaitForConnectedInstancesAsync(2);
        await Eventually.Async(async () =>
        {
            var daemons = await ServiceTasksAsync(cluster, "logs");
            Assert.Equal(2, daemons.Count(t => t.LastStatus == "RUNNING"));
            Assert.Equal(2, daemons.Select(t => t.ContainerInstanceArn).Distinct().Count());
        }, TimeSpan.FromSeconds(60), cluster.Diagnostics);

        (await cluster.OrchAsync("service", "create", "web", "--cluster", cluster.ClusterName, "-t", "web", "-n", "2",
            "--min-healthy-percent", "50", "--wait", "--timeout", "2m")).EnsureSuccess();
        var drained = instances[0].GetProperty("containerInstanceArn").GetString()!;
        (await cluster.OrchAsync("instance", "drain", drained, "--cluster", cluster.ClusterName)).EnsureSuccess();

        await Eventually.Async(async () =>
        {
            var web = await ServiceTasksAsync(cluster, "web");
            Assert.Equal(2, web.Count(t => t.LastStatus == "RUNNING"));
            Assert.DoesNotContain(web, t => t.ContainerInstanceArn == drained);
            Assert.DoesNotContain(await ServiceTasksAsync(cluster, "logs"), t => t.ContainerInstanceArn == drained);
        }, TimeSpan.FromSeconds(90), cluster.Diagnostics);

        (await cluster.OrchAsync("instance", "activate", drained, "--cluster", cluster.ClusterName)).EnsureSuccess();
        await Eventually.Async(async () =>
            Assert.Contains(await ServiceTasksAsync(cluster, "logs"), t => t.ContainerInstanceArn == drained && t.LastStatus == "RUNNING"),
            TimeSpan.FromSeconds(60), cluster.Diagnostics);
    }

    // Its own steps take about a minute; starting a control plane and two agents, and each `orch` process, can take
    // minutes more on a loaded 2-core machine, so the test's limit is well above its two waits (2 min + 3 min).
    [Fact(Timeout = 480_000)]
    public async Task FailingHealthCheck_TripsTheCircuitBreaker_AndRollsBack()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        await cluster.AddAgentAsync();
        await cluster.WaitForConnectedInstancesAsync(2);
        await RegisterAsync(cluster, "web", "local/busybox:1", HealthyCheck);
        await RegisterAsync(cluster, "web", "local/busybox:1", "exit 1");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (await cluster.OrchAsync("service", "create", "web", "--cluster", cluster.ClusterName, "-t", "web:1", "-n", "4",
            "--circuit-breaker", "--rollback", "--wait", "--timeout", "2m")).EnsureSuccess();
        TestContext.Current.TestOutputHelper?.WriteLine($"4 healthy tasks after {clock.Elapsed.TotalSeconds:F1} s");

        (await cluster.OrchAsync("service", "update", "web", "--cluster", cluster.ClusterName, "-t", "web:2")).EnsureSuccess();
        clock.Restart();

        Service service = null!;
        await Eventually.Async(async () =>
        {
            service = await DescribeAsync(cluster, "web");
            Assert.Contains(service.Events, e => e.Message.Contains("deployment failed: tasks failed to start.", StringComparison.Ordinal));
            Assert.Contains(service.Events, e => e.Message.Contains("rolling back to web:1", StringComparison.Ordinal));
            var primary = Assert.Single(service.Deployments);
            Assert.EndsWith("task-definition/web:1", primary.TaskDefinition, StringComparison.Ordinal);
            Assert.Equal(RolloutStates.Completed, primary.RolloutState);
            Assert.Equal(4, service.RunningCount);
        }, TimeSpan.FromMinutes(3), cluster.Diagnostics);
        TestContext.Current.TestOutputHelper?.WriteLine($"Rolled back after {clock.Elapsed.TotalSeconds:F1} s");
        foreach (var e in service.Events.Reverse())
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{e.CreatedAt:HH:mm:ss} {e.Message}");
        }

        var tasks = await ServiceTasksAsync(cluster);
        Assert.Equal(4, tasks.Count);
        Assert.All(tasks, t => Assert.Equal("HEALTHY", t.HealthStatus));
        Assert.EndsWith("task-definition/web:1", service.TaskDefinition, StringComparison.Ordinal);
    }

    private const string HealthyCheck = "test -f /www/index.html";

    internal static async Task RegisterAsync(LocalCluster cluster, string family, string image, string? healthCheck = null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"orch-e2e-{Guid.NewGuid():N}.json");
        // A check meant to pass tolerates a slow machine (an exec that takes over 2 s under load, once); one meant to
        // fail fails at its first run.
        var (timeout, retries) = healthCheck == HealthyCheck ? (5, 3) : (2, 1);
        var health = healthCheck is null ? "" : $$""","healthCheck":{"command":["CMD-SHELL","{{healthCheck}}"],"interval":5,"timeout":{{timeout}},"retries":{{retries}},"startPeriod":0}""";
        await File.WriteAllTextAsync(file, $$"""
            {"family":"{{family}}","containerDefinitions":[{"name":"main","image":"{{image}}","memory":32,"cpu":10,
              "entryPoint":["sh","-c"],"command":["mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www"],
              "portMappings":[{"containerPort":80,"hostPort":0}],"stopTimeout":2{{health}}}]}
            """, Token);
        try
        {
            (await cluster.OrchAsync("taskdef", "register", "--file", file)).EnsureSuccess();
        }
        finally
        {
            File.Delete(file);
        }
    }

    internal static async Task<List<EcsTask>> ServiceTasksAsync(LocalCluster cluster, string service = "web")
    {
        var result = await cluster.OrchAsync("task", "list", "--cluster", cluster.ClusterName, "--output", "json");
        var all = EcsJson.Deserialize<TasksResponse>(result.EnsureSuccess().Stdout).Tasks;
        return all.Where(t => t.Group == "service:" + service).ToList();
    }

    internal static async Task<Service> DescribeAsync(LocalCluster cluster, string service) =>
        Assert.Single((await cluster.OrchJsonAsync<DescribeServicesResponse>("service", "describe", service, "--cluster", cluster.ClusterName)).Services);

    private static Task TagImageAsync(LocalCluster cluster, string source, string repository, string tag) =>
        cluster.Docker.Images.TagImageAsync(source, new ImageTagParameters { RepositoryName = repository, Tag = tag }, Token);
}
