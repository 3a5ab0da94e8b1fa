using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Benchmarks;

/// <summary>
/// RunTask end to end through the real control plane: a fresh control plane process, <see cref="Agents"/> simulated
/// agents (real gRPC sessions, fake Docker), then <see cref="Tasks"/> tasks in RunTask calls of <see cref="Count"/>
/// over the ECS HTTP API, <see cref="Concurrency"/> calls in flight. Timed from the first call until the control plane
/// has acknowledged every task's RUNNING report (accepted → placed → stored → sent to its agent → reported RUNNING →
/// stored), then checked once with ListTasks/DescribeTasks. A warm-up of two calls runs first and is not counted.
/// Only wire protocols are used, so the figure means the same whatever the control plane does inside.
/// </summary>
public sealed record RunTaskLoad(int Tasks = 500, int Agents = 10, int Count = 10, int Concurrency = 16)
{
    /// <summary>More arguments for the control plane (e.g. <c>--Telemetry:Enabled=false</c>), and the label printed for them.</summary>
    public IReadOnlyList<string> ControlPlaneArguments { get; init; } = [];

    public string Label { get; init; } = "";

    private const string Cluster = "bench";
    private const string Family = "bench-tiny";
    private static readonly TimeSpan Overall = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(120);

    /// <summary>Reads <c>--tasks --agents --count --concurrency</c>; without <c>--count</c>, both shapes (10 and 1).</summary>
    public static IReadOnlyList<RunTaskLoad> FromArguments(string[] args)
    {
        int? Read(string name)
        {
            var i = Array.IndexOf(args, name);
            return i < 0 ? null
                : i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
                : throw new ArgumentException($"{name} takes a positive number.");
        }

        var load = new RunTaskLoad();
        load = load with
        {
            Tasks = Read("--tasks") ?? load.Tasks,
            Agents = Read("--agents") ?? load.Agents,
            Concurrency = Read("--concurrency") ?? load.Concurrency,
        };
        return Read("--count") is { } count
            ? [load with { Count = count <= 10 ? count : throw new ArgumentException("--count is 1 to 10, as in ECS.") }]
            : [load with { Count = 10 }, load with { Count = 1 }];
    }

    /// <summary>Runs it and prints one line; 0 when every task ended RUNNING.</summary>
    public async Task<int> RunAsync(TextWriter output)
    {
        using var overall = new CancellationTokenSource(Overall);
        var token = overall.Token;
        await using var controlPlane = await ControlPlaneProcess.StartAsync(TimeSpan.FromSeconds(60), token, ControlPlaneArguments);
        try
        {
            using var ecs = new EcsApiClient(controlPlane.HttpEndpoint);
            await ecs.CallAsync("CreateCluster", new JsonObject { ["clusterName"] = Cluster }, token);
            await ecs.CallAsync("RegisterTaskDefinition", new JsonObject
            {
                ["family"] = Family,
                ["networkMode"] = "bridge",
                ["containerDefinitions"] = new JsonArray(new JsonObject
                {
                    ["name"] = "app",
                    ["image"] = "local/busybox:1",
                    ["cpu"] = 8,
                    ["memory"] = 16,
                    ["essential"] = true,
                }),
            }, token);

            var stored = new StoredTasks();
            var agents = Enumerable.Range(0, Agents).Select(i => new SimulatedAgent(controlPlane.GrpcEndpoint, Cluster, i, stored.Add)).ToList();
            try
            {
                await ConnectAsync(ecs, agents, token);
                var warmUp = Math.Min(2 * Count, Tasks);
                await FireAsync(ecs, warmUp, stored, agents, token);
                var result = await FireAsync(ecs, Tasks, stored, agents, token);
                var running = await CountRunningAsync(ecs, token);
                if (running != warmUp + Tasks)
                {
                    throw new InvalidOperationException($"The agents' acknowledgements say {warmUp + Tasks} tasks are RUNNING, DescribeTasks says {running}.");
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"runtask-e2e{Label}: {Tasks} tasks (count={Count}, {Concurrency} in flight, {Agents} agents): {Tasks / result.Elapsed.TotalSeconds:F0} tasks/s, "
                    + $"p50 accept {Percentile(result.Accept, 50):F0} ms, p99 accept {Percentile(result.Accept, 99):F0} ms, "
                    + $"p50 to RUNNING {Percentile(result.ToRunning, 50):F0} ms, p99 to RUNNING {Percentile(result.ToRunning, 99):F0} ms, "
                    + $"all RUNNING after {result.Elapsed.TotalSeconds:F2} s"));
                return 0;
            }
            finally
            {
                foreach (var agent in agents)
                {
                    await agent.DisposeAsync();
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || overall.IsCancellationRequested)
        {
            output.WriteLine($"runtask-e2e: FAILED (count={Count}): {e.Message}\n--- control plane output (tail) ---\n{controlPlane.OutputTail}");
            return 1;
        }
    }

    /// <summary>Registers every agent, opens their sessions and waits until the control plane lists them all connected.</summary>
    private static async Task ConnectAsync(EcsApiClient ecs, List<SimulatedAgent> agents, CancellationToken token)
    {
        await Task.WhenAll(agents.Select(a => a.RegisterAsync(token)));
        await Task.WhenAll(agents.Select(a => a.OpenSessionAsync()));
        await Task.WhenAll(agents.Select(a => a.Established)).WaitAsync(Step, token);
        var arns = (await ecs.CallAsync("ListContainerInstances", new JsonObject { ["cluster"] = Cluster }, token))
            .GetProperty("containerInstanceArns").EnumerateArray().Select(a => (JsonNode?)a.GetString()).ToArray();
        var described = await ecs.CallAsync("DescribeContainerInstances", new JsonObject { ["cluster"] = Cluster, ["containerInstances"] = new JsonArray(arns) }, token);
        var connected = described.GetProperty("containerInstances").EnumerateArray().Count(i => i.GetProperty("agentConnected").GetBoolean());
        if (connected != agents.Count)
        {
            throw new InvalidOperationException($"{connected} of {agents.Count} simulated agents are connected.");
        }
    }

    /// <summary>Runs <paramref name="tasks"/> tasks and waits until every one of them is stored RUNNING.</summary>
    private async Task<Result> FireAsync(EcsApiClient ecs, int tasks, StoredTasks stored, List<SimulatedAgent> agents, CancellationToken token)
    {
        var target = stored.Count + tasks;
        var allStored = stored.WaitForAsync(target);
        var calledAt = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var accept = new ConcurrentBag<double>();
        using var inFlight = new SemaphoreSlim(Concurrency);
        var started = Stopwatch.GetTimestamp();
        var calls = Enumerable.Range(0, (tasks + Count - 1) / Count).Select(async call =>
        {
            await inFlight.WaitAsync(token);
            try
            {
                var count = Math.Min(Count, tasks - (call * Count));
                var callStart = Stopwatch.GetTimestamp();
                var response = await ecs.CallAsync("RunTask", new JsonObject { ["cluster"] = Cluster, ["taskDefinition"] = Family, ["count"] = count }, token);
                accept.Add(Stopwatch.GetElapsedTime(callStart).TotalMilliseconds);
                if (response.GetProperty("failures").GetArrayLength() > 0)
                {
                    throw new InvalidOperationException("RunTask failed: " + response.GetProperty("failures"));
                }

                foreach (var task in response.GetProperty("tasks").EnumerateArray())
                {
                    calledAt[task.GetProperty("taskArn").GetString()!] = callStart;
                }
            }
            finally
            {
                inFlight.Release();
            }
        }).ToList();
        await Task.WhenAll(calls).WaitAsync(Step, token);
        var sessionEnded = Task.WhenAny(agents.Select(a => a.Running));
        Task first;
        try
        {
            first = await Task.WhenAny(allStored, sessionEnded).WaitAsync(Step, token);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{stored.Count - (target - tasks)} of {tasks} tasks stored RUNNING after {Step}; "
                + $"{agents.Sum(a => a.Unacknowledged)} state changes unacknowledged.");
        }

        if (first != allStored)
        {
            var ended = await sessionEnded;
            throw new InvalidOperationException("A simulated agent's session ended: " + (ended.Exception?.GetBaseException().Message ?? "the control plane closed it"));
        }

        var last = stored.LastAt;
        var toRunning = calledAt.Select(c => Stopwatch.GetElapsedTime(c.Value, stored.At(c.Key)).TotalMilliseconds).ToList();
        return new Result(Stopwatch.GetElapsedTime(started, last), [.. accept], toRunning);
    }

    /// <summary>ListTasks (desired RUNNING, every page) and DescribeTasks (100 at a time): how many are RUNNING.</summary>
    private static async Task<int> CountRunningAsync(EcsApiClient ecs, CancellationToken token)
    {
        var arns = new List<string>();
        string? next = null;
        for (var page = 0; page < 1000; page++)
        {
            var request = new JsonObject { ["cluster"] = Cluster, ["desiredStatus"] = "RUNNING", ["maxResults"] = 100 };
            if (next is not null)
            {
                request["nextToken"] = next;
            }

            var listed = await ecs.CallAsync("ListTasks", request, token);
            arns.AddRange(listed.GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!));
            next = listed.TryGetProperty("nextToken", out var more) && more.ValueKind == JsonValueKind.String ? more.GetString() : null;
            if (next is null)
            {
                break;
            }
        }

        var running = 0;
        foreach (var chunk in arns.Chunk(100))
        {
            var described = await ecs.CallAsync("DescribeTasks", new JsonObject { ["cluster"] = Cluster, ["tasks"] = new JsonArray([.. chunk.Select(a => (JsonNode?)a)]) }, token);
            running += described.GetProperty("tasks").EnumerateArray().Count(t => t.GetProperty("lastStatus").GetString() == "RUNNING");
        }

        return running;
    }

    private static double Percentile(IReadOnlyList<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private sealed record Result(TimeSpan Elapsed, IReadOnlyList<double> Accept, IReadOnlyList<double> ToRunning);
}
