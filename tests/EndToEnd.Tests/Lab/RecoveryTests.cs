using System.Collections.Concurrent;
using System.Diagnostics;
using Docker.DotNet.Models;
using Grpc.Core;
using Grpc.Net.Client;
using Orchestrator.Contracts.Cluster;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>
/// Health, sessions and recovery, proven by really killing things: the control plane mid-burst, an agent with
/// running containers, a host's network, dockerd. Nothing acknowledged is lost; nothing runs twice.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class RecoveryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, IDictionary<string, bool>> TaskContainers =
        new() { ["label"] = new Dictionary<string, bool> { ["com.amazonaws.ecs.task-arn"] = true } };

    [Fact(Timeout = 900_000)]
    public async Task KillControlPlaneDuringABurstOf500Tasks_RetriedWithTheirTokens_All500RunExactlyOnce()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        await using var lab = await LabCluster.StartAsync(new LabOptions { Hosts = 3 });
        await RegisterSleeperAsync(lab);
        using var channel = new AdminChannel(lab.AdminConfig);
        var api = new ClusterApi.ClusterApiClient(channel.Invoker);

        // Each call carries its own clientToken, as the SDKs send one: a call whose reply was lost can be sent again.
        var tokens = Enumerable.Range(0, 50).Select(i => $"burst-{i:D2}-{Guid.NewGuid():N}"[..32]).ToList();
        var acknowledged = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var refusedCalls = new ConcurrentBag<int>();
        var calls = 0;
        async Task<bool> CallAsync(int call, CancellationToken ct)
        {
            try
            {
                var reply = await api.CallAsync(new EcsCall
                {
                    Action = "RunTask",
                    Json = $$"""{"cluster":"{{lab.ClusterName}}","taskDefinition":"sleeper","count":10,"clientToken":"{{tokens[call]}}"}""",
                }, deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: ct);
                var response = EcsJson.Deserialize<TasksResponse>(reply.Json);
                Assert.Empty(response.Failures);
                foreach (var task in response.Tasks)
                {
                    acknowledged.AddOrUpdate(task.TaskArn, call, (_, earlier) => earlier == call ? call : throw new InvalidOperationException($"{task.TaskArn} came back from two calls"));
                }

                return true;
            }
            catch (RpcException)
            {
                return false; // the control plane was gone: not acknowledged
            }
        }

        var burst = Parallel.ForEachAsync(Enumerable.Range(0, 50), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Token }, async (call, ct) =>
        {
            Interlocked.Increment(ref calls);
            if (!await CallAsync(call, ct))
            {
                refusedCalls.Add(call);
            }
        });

        while (Volatile.Read(ref calls) < 20)
        {
            await Task.Delay(10, Token);
        }

        lab.KillControlPlane();
        await burst;
        var beforeKill = acknowledged.Count;
        await lab.StartControlPlaneAsync();
        foreach (var host in lab.Hosts)
        {
            await lab.WaitForAgentAsync(host, connected: true, TimeSpan.FromSeconds(60));
        }

        // The client sends the refused calls again with their tokens: those the dead control plane had stored before it
        // died get their tasks back, the others run now. The burst completes to exactly 500 tasks.
        TestContext.Current.TestOutputHelper?.WriteLine($"{beforeKill} tasks acknowledged before the kill, {refusedCalls.Count} calls refused and sent again");
        Assert.True(refusedCalls.Count > 0, "the kill landed after the burst: nothing was refused");
        Assert.True(beforeKill >= 100, $"only {beforeKill} tasks were acknowledged before the kill");
        foreach (var call in refusedCalls)
        {
            Assert.True(await CallAsync(call, Token), $"call {call} was refused again after the restart");
        }

        Assert.Equal(500, acknowledged.Count);

        var known = new HashSet<string>(StringComparer.Ordinal);
        await Eventually.Async(async () =>
        {
            var tasks = await AllTasksAsync(lab, api);
            known.Clear();
            known.UnionWith(tasks.Select(t => t.TaskArn));
            Assert.All(acknowledged.Keys, arn => Assert.Contains(arn, known));
            Assert.All(tasks, t => Assert.Equal("RUNNING", t.LastStatus));
        }, TimeSpan.FromMinutes(8), lab.Diagnostics, TimeSpan.FromSeconds(2));

        // Every task the control plane has runs exactly one container, and nothing runs that it does not have.
        var running = new List<(string Task, string Id)>();
        foreach (var host in lab.Hosts)
        {
            var containers = await host.Docker.Containers.ListContainersAsync(new ContainersListParameters { Filters = TaskContainers }, Token);
            running.AddRange(containers.Select(c => (c.Labels["com.amazonaws.ecs.task-arn"], c.ID)));
        }

        Assert.Equal(500, known.Count);
        Assert.Equal(known.Count, running.Count);
        Assert.All(running.GroupBy(r => r.Task), g => Assert.Single(g));
        Assert.All(running, r => Assert.Contains(r.Task, known));
    }

    [Fact(Timeout = 600_000)]
    public async Task KillAgentWithTwentyContainers_AllAdoptedNoneRestartedOrphansRemoved()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        await using var lab = await LabCluster.StartAsync(new LabOptions { Hosts = 1 });
        var host = lab.Hosts[0];
        await RegisterSleeperAsync(lab);
        for (var i = 0; i < 2; i++)
        {
            (await lab.OrchAsync("task", "run", "--cluster", lab.ClusterName, "--task-definition", "sleeper", "--count", "10", "--wait", "--timeout", "3m")).EnsureSuccess();
        }

        var before = await host.Docker.Containers.ListContainersAsync(new ContainersListParameters { Filters = TaskContainers }, Token);
        Assert.Equal(20, before.Count);
        var started = new Dictionary<string, string>();
        foreach (var container in before)
        {
            started[container.ID] = (await host.Docker.Containers.InspectContainerAsync(container.ID, Token)).State!.StartedAt;
        }

        host.KillAgent();
        // While the agent is down: a container of ours for a task nobody knows, and one that is not ours at all.
        var instance = await lab.InstanceAsync(host);
        var orphan = await host.Docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = "local/busybox:1",
            Cmd = ["sleep", "600"],
            Labels = new Dictionary<string, string>
            {
                ["com.amazonaws.ecs.task-arn"] = instance.ContainerInstanceArn.Replace(":container-instance/", ":task/", StringComparison.Ordinal)[..^32] + new string('0', 32),
                ["com.amazonaws.ecs.container-instance-arn"] = instance.ContainerInstanceArn,
            },
        }, Token);
        var foreign = await host.Docker.Containers.CreateContainerAsync(new CreateContainerParameters { Image = "local/busybox:1", Cmd = ["sleep", "600"] }, Token);

        var restart = Stopwatch.StartNew();
        await lab.StartAgentAsync(host);
        TestContext.Current.TestOutputHelper?.WriteLine($"agent reconnected {restart.Elapsed.TotalSeconds:0.0} s after it was started again");

        await Eventually.Async(async () =>
            Assert.Null(await InspectOrNullAsync(host, orphan.ID)), TimeSpan.FromSeconds(60), lab.Diagnostics);
        Assert.NotNull(await InspectOrNullAsync(host, foreign.ID));
        var after = await host.Docker.Containers.ListContainersAsync(new ContainersListParameters { Filters = TaskContainers }, Token);
        Assert.Equal(started.Keys.Order(), after.Select(c => c.ID).Order());
        foreach (var container in after)
        {
            Assert.Equal(started[container.ID], (await host.Docker.Containers.InspectContainerAsync(container.ID, Token)).State!.StartedAt);
        }

        var tasks = (await lab.OrchJsonAsync<TasksResponse>("task", "list", "--cluster", lab.ClusterName)).Tasks;
        Assert.Equal(20, tasks.Count(t => t.LastStatus == "RUNNING"));
        await host.Docker.Containers.RemoveContainerAsync(foreign.ID, new ContainerRemoveParameters { Force = true }, Token);
    }

    [Fact(Timeout = 600_000)]
    public async Task PartitionAHostForThirtySeconds_ServiceTasksReplacedElsewhere_ExactlyTheDesiredCountAfterHealing()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        // The control plane has been up long, as in real life: its after-start allowance for agents to reconnect (30 s by
        // default, during which no instance counts as lost) must not stand in for the time it takes to notice a lost host.
        await using var lab = await LabCluster.StartAsync(new LabOptions { Hosts = 2, ControlPlaneArguments = ["--agent-reconnect-allowance", "00:00:01"] });
        await RegisterSleeperAsync(lab);
        (await lab.OrchAsync("service", "create", "keep", "--cluster", lab.ClusterName, "-t", "sleeper", "-n", "4", "--wait", "--timeout", "2m")).EnsureSuccess();
        var tasks = await ServiceTasksAsync(lab);
        var cut = await lab.HostOfAsync(tasks[0]);
        var cutInstance = (await lab.InstanceAsync(cut)).ContainerInstanceArn;
        Assert.Contains(tasks, t => t.ContainerInstanceArn == cutInstance);

        await cut.PartitionAsync();
        var partitioned = Stopwatch.StartNew();
        await Eventually.Async(async () =>
        {
            var now = await ServiceTasksAsync(lab);
            Assert.Equal(4, now.Count(t => t.LastStatus == "RUNNING" && t.ContainerInstanceArn != cutInstance));
        }, TimeSpan.FromSeconds(15), lab.Diagnostics, TimeSpan.FromMilliseconds(250));
        var replaced = partitioned.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"host lost → 4 tasks RUNNING elsewhere after {replaced.TotalSeconds:0.0} s");
        TestContext.Current.TestOutputHelper?.WriteLine((await lab.OrchAsync("service", "events", "keep", "--cluster", lab.ClusterName)).Stdout);

        await Task.Delay(TimeSpan.FromSeconds(30) - partitioned.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero, Token);
        await cut.HealAsync();
        await lab.WaitForAgentAsync(cut, connected: true, TimeSpan.FromSeconds(60));

        // The returning agent is told its tasks were superseded: exactly 4 run, none of them on the healed host.
        await Eventually.Async(async () =>
        {
            var containers = await cut.Docker.Containers.ListContainersAsync(new ContainersListParameters { Filters = TaskContainers }, Token);
            Assert.Empty(containers);
        }, TimeSpan.FromSeconds(60), lab.Diagnostics);
        var final = await ServiceTasksAsync(lab);
        Assert.Equal(4, final.Count(t => t.LastStatus == "RUNNING"));
        var running = 0;
        foreach (var host in lab.Hosts)
        {
            running += (await host.Docker.Containers.ListContainersAsync(new ContainersListParameters { Filters = TaskContainers }, Token)).Count;
        }

        Assert.Equal(4, running);
    }

    [Fact(Timeout = 300_000)]
    public async Task RestartDockerdWithLiveRestore_TheTaskStaysRunningInTheSameContainer()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        await using var lab = await LabCluster.StartAsync(new LabOptions { Hosts = 1, DockerdArguments = ["--live-restore"] });
        var host = lab.Hosts[0];
        var task = await RunHttpdAsync(lab);
        var container = task.Containers[0].RuntimeId!;
        var url = new Uri($"http://{host.Address}:{task.Containers[0].NetworkBindings[0].HostPort}/");

        await host.RestartDockerdAsync(hard: true);
        await Task.Delay(TimeSpan.FromSeconds(5), Token); // the agent re-subscribes to events and re-inspects

        var kept = Assert.Single((await lab.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", lab.ClusterName, task.TaskArn)).Tasks);
        Assert.Equal("RUNNING", kept.LastStatus);
        Assert.Equal(container, kept.Containers[0].RuntimeId);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Assert.Contains("Hello", await http.GetStringAsync(url, Token), StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task KillDockerdWithoutLiveRestore_TheKilledTaskIsReportedStopped_NewTasksRun()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        await using var lab = await LabCluster.StartAsync(new LabOptions { Hosts = 1 });
        var host = lab.Hosts[0];
        var task = await RunHttpdAsync(lab);

        await host.RestartDockerdAsync(hard: true); // dockerd kills what ran when it starts again

        await Eventually.Async(async () =>
        {
            var stopped = Assert.Single((await lab.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", lab.ClusterName, task.TaskArn)).Tasks);
            Assert.Equal("STOPPED", stopped.LastStatus);
            Assert.NotNull(stopped.Containers[0].ExitCode);
            Assert.Equal("EssentialContainerExited", stopped.StopCode);
        }, TimeSpan.FromSeconds(60), lab.Diagnostics);
        Assert.True((await lab.InstanceAsync(host)).AgentConnected);
        Assert.Equal("RUNNING", (await RunHttpdAsync(lab)).LastStatus);
    }

    private static async Task<EcsTask> RunHttpdAsync(LabCluster lab)
    {
        (await lab.OrchAsync("taskdef", "register", "--file", Programs.Example("httpd.json"))).EnsureSuccess();
        return Assert.Single((await lab.OrchJsonAsync<TasksResponse>("task", "run", "--cluster", lab.ClusterName, "--task-definition", "httpd", "--wait", "--timeout", "90s")).Tasks);
    }

    /// <summary>A task that only sleeps, with no network: hundreds of them start and go without a veth pair each.</summary>
    private static async Task RegisterSleeperAsync(LabCluster lab)
    {
        var file = Path.Combine(Path.GetTempPath(), $"orch-sleeper-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            {"family":"sleeper","networkMode":"none","containerDefinitions":[{"name":"main","image":"local/busybox:1","memoryReservation":8,
              "command":["sleep","3600"],"stopTimeout":1}]}
            """, Token);
        try
        {
            (await lab.OrchAsync("taskdef", "register", "--file", file)).EnsureSuccess();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<List<EcsTask>> AllTasksAsync(LabCluster lab, ClusterApi.ClusterApiClient api)
    {
        var arns = new List<string>();
        string? token = null;
        do
        {
            var page = EcsJson.Deserialize<ListTasksResponse>((await api.CallAsync(new EcsCall
            {
                Action = "ListTasks",
                Json = EcsJson.Serialize(new ListTasksRequest { Cluster = lab.ClusterName, NextToken = token }),
            }, cancellationToken: Token)).Json);
            arns.AddRange(page.TaskArns);
            token = page.NextToken;
        }
        while (token is not null);

        var tasks = new List<EcsTask>();
        foreach (var chunk in arns.Chunk(100))
        {
            tasks.AddRange(EcsJson.Deserialize<TasksResponse>((await api.CallAsync(new EcsCall
            {
                Action = "DescribeTasks",
                Json = EcsJson.Serialize(new DescribeTasksRequest { Cluster = lab.ClusterName, Tasks = chunk }),
            }, cancellationToken: Token)).Json).Tasks);
        }

        return tasks;
    }

    private static async Task<List<EcsTask>> ServiceTasksAsync(LabCluster lab) =>
        (await lab.OrchJsonAsync<TasksResponse>("task", "list", "--cluster", lab.ClusterName)).Tasks.Where(t => t.Group == "service:keep").ToList();

    private static async Task<ContainerInspectResponse?> InspectOrNullAsync(LabHost host, string id)
    {
        try
        {
            return await host.Docker.Containers.InspectContainerAsync(id, Token);
        }
        catch (Docker.DotNet.DockerContainerNotFoundException)
        {
            return null;
        }
    }
}
