using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Orchestrator.Contracts;
using Orchestrator.Contracts.Admin;
using Orchestrator.Contracts.Cluster;

namespace Orchestrator.Benchmarks;

/// <summary>
/// The scale harness (<c>bench/scale.sh</c>, issue 19): a fresh control plane process (its own data directory, free
/// loopback ports, TLS on its gRPC port, an access key), then <see cref="ScaleOptions.Agents"/> simulated agents in
/// this process that join as real hosts do (activation → certificate request → client certificate → mutual-TLS
/// session with heartbeats) and run every task they are sent at once (<see cref="SimulatedAgent"/>). Then
/// <see cref="ScaleOptions.Tasks"/> tasks by RunTask (count up to 10, over the cluster gRPC API orch uses, signed with
/// the access key) and <see cref="ScaleOptions.Services"/> services, each timed until every task's RUNNING report has
/// been acknowledged by the control plane (accepted → placed → stored → delivered → reported → stored). Prints the time
/// to register the agents, end-to-end throughput, the heartbeat delay p99 from the control plane's own histogram
/// (<c>/metrics</c>), and the control plane's RSS and CPU from /proc. Every wait is bounded by
/// <see cref="ScaleOptions.MaxRuntime"/>. Exit code 0 when every task is RUNNING exactly once.
/// </summary>
public static class ScaleRun
{
    private const string Cluster = "scale";
    private const string Family = "scale-tiny";
    private const string AccessKeyId = "AKIDSCALEBENCH";
    private const string CallMethod = "/orchestrator.cluster.v1.ClusterApi/Call";
    private const string ActivationMethod = "/orchestrator.admin.v1.Admin/CreateActivation";
    private const string HeartbeatHistogram = "orch_agent_heartbeat_delay_seconds_bucket";
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        ScaleOptions options;
        try
        {
            options = ScaleOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            output.WriteLine("scale: " + e.Message);
            output.WriteLine(ScaleOptions.Usage);
            return 2;
        }

        using var overall = new CancellationTokenSource(options.MaxRuntime);
        var token = overall.Token;
        // SIGTERM or Ctrl-C end the run through the same path as running out of time: the control plane is stopped.
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
        void Stop(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            overall.Cancel();
        }

        var secret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var keys = Path.Combine(Path.GetTempPath(), "orch-scale-keys-" + Guid.NewGuid().ToString("N")[..12]);
        await File.WriteAllTextAsync(keys, $"{AccessKeyId} {secret}\n", token);
        ControlPlaneProcess? controlPlane = null;
        var agents = new List<SimulatedAgent>();
        try
        {
            output.WriteLine(Line($"scale: {options.Agents} agents, {options.Tasks} tasks (count={options.Count}, {options.Concurrency} calls in flight), "
                + $"{options.Services} services x {options.ServiceTasks}, {(options.Secure ? "TLS + activation join" : "plaintext --insecure")}, "
                + $"control plane args: [{string.Join(' ', options.ControlPlaneArguments)}], at most {options.MaxRuntime.TotalSeconds:F0} s"));
            controlPlane = await ControlPlaneProcess.StartAsync(TimeSpan.FromSeconds(90), token, ["--access-keys-file", keys, .. options.ControlPlaneArguments], options.Secure);
            output.WriteLine($"control plane: pid {controlPlane.ProcessId}, gRPC 127.0.0.1:{controlPlane.GrpcPort}, HTTP 127.0.0.1:{controlPlane.HttpPort}, data {controlPlane.DataDir}; load average {LoadAverage()}");
            var run = new Run(options, controlPlane, secret, output);
            return await run.ExecuteAsync(agents, token);
        }
        catch (Exception e) when (e is not OperationCanceledException || overall.IsCancellationRequested)
        {
            output.WriteLine($"scale: FAILED: {(overall.IsCancellationRequested ? $"the run was stopped (signal) or exceeded --max-seconds {options.MaxRuntime.TotalSeconds:F0}; " : "")}{e.GetType().Name}: {e.Message}");
            if (controlPlane is not null)
            {
                output.WriteLine("--- control plane output (last 40 lines) ---\n" + string.Join('\n', controlPlane.OutputTail.Split('\n').TakeLast(40)));
            }

            return 1;
        }
        finally
        {
            // Bounded: each disposal cancels its own session.
            await Task.WhenAll(agents.Select(a => a.DisposeAsync().AsTask())).WaitAsync(TimeSpan.FromSeconds(60), CancellationToken.None)
                .ContinueWith(_ => { }, TaskScheduler.Default);
            if (controlPlane is not null)
            {
                await controlPlane.DisposeAsync();
            }

            File.Delete(keys);
        }
    }

    /// <summary>/proc/loadavg's 1, 5 and 15 minute averages.</summary>
    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>Figures are printed with the invariant culture (set by <see cref="RunAsync"/>), so a dot is a decimal point.</summary>
    private static string Line(string text) => text;

    private sealed class Run(ScaleOptions options, ControlPlaneProcess controlPlane, string secret, TextWriter output)
    {
        private readonly ConcurrentDictionary<string, int> _deliveries = new(StringComparer.Ordinal);
        private readonly StoredTasks _stored = new();
        private ClusterApi.ClusterApiClient _ecs = null!;

        public async Task<int> ExecuteAsync(List<SimulatedAgent> agents, CancellationToken token)
        {
            var endpoint = new Uri($"{(options.Secure ? "https" : "http")}://127.0.0.1:{controlPlane.GrpcPort}");
            using var ca = options.Secure ? X509CertificateLoader.LoadCertificateFromFile(Path.Combine(controlPlane.DataDir, "pki", "ca.crt")) : null;
            using var channel = ca is null ? GrpcChannel.ForAddress(endpoint) : SimulatedAgent.TlsChannel(endpoint, ca, clientCertificate: null);
            _ecs = new ClusterApi.ClusterApiClient(channel);
            var admin = new Admin.AdminClient(channel);
            using var http = new HttpClient { BaseAddress = controlPlane.HttpEndpoint, Timeout = TimeSpan.FromSeconds(30) };

            await CallAsync("CreateCluster", new JsonObject { ["clusterName"] = Cluster }, token);
            await CallAsync("RegisterTaskDefinition", new JsonObject
            {
                ["family"] = Family,
                ["networkMode"] = "bridge",
                ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "local/busybox:1", ["cpu"] = 8, ["memory"] = 16, ["essential"] = true }),
            }, token);

            // 1. Register: every agent joins and opens its session; done when the control plane has answered every hello.
            var activations = new List<ActivationInfo>();
            for (var i = 0; options.Secure && i < (options.Agents + 999) / 1000; i++)
            {
                activations.Add(await admin.CreateActivationAsync(
                    new CreateActivationRequest { Cluster = Cluster, MaxRegistrations = 1000, Description = "scale harness" },
                    Signed(ActivationMethod), DateTime.UtcNow.AddSeconds(30), token));
            }

            var cpuStart = CpuTicks();
            var registerWatch = Stopwatch.StartNew();
            for (var i = 0; i < options.Agents; i++)
            {
                agents.Add(new SimulatedAgent(endpoint, Cluster, i, _stored.Add) { Delivered = arn => _deliveries.AddOrUpdate(arn, 1, (_, n) => n + 1) });
            }

            var failedJoins = 0;
            using (var joining = new SemaphoreSlim(options.RegisterConcurrency))
            {
                int joined = 0, established = 0;
                var failed = new ConcurrentBag<(SimulatedAgent Agent, string Why)>();
                var joins = agents.Select(async (agent, i) =>
                {
                    await joining.WaitAsync(token);
                    try
                    {
                        await JoinOneAsync(agent, i);
                    }
                    catch (RpcException e) when (!token.IsCancellationRequested)
                    {
                        // Refused or cut off (e.g. a TLS handshake that timed out on a loaded machine): a real agent
                        // would retry with back-off; here it is counted and left out of the run.
                        failed.Add((agent, $"{e.StatusCode}: {e.Status.Detail.Split('\n')[0]}"));
                    }
                    finally
                    {
                        joining.Release();
                    }
                });

                async Task JoinOneAsync(SimulatedAgent agent, int i)
                {
                    {
                        if (ca is null)
                        {
                            await agent.RegisterAsync(token);
                        }
                        else
                        {
                            var activation = activations[i / 1000];
                            await agent.JoinAsync(channel, ca, activation.ActivationId, activation.ActivationCode, token);
                        }

                        Interlocked.Increment(ref joined);
                        await agent.OpenSessionAsync();
                        Task first;
                        try
                        {
                            first = await Task.WhenAny(agent.Established, agent.Running).WaitAsync(SessionTimeout, token);
                        }
                        catch (TimeoutException)
                        {
                            // A real agent would give up and reconnect; here it is counted and left out of the run.
                            failed.Add((agent, $"no answer to its hello within {SessionTimeout.TotalSeconds:F0} s"));
                            return;
                        }

                        if (first != agent.Established)
                        {
                            failed.Add((agent, agent.Running.Exception?.GetBaseException().Message ?? "the control plane ended the session"));
                            return;
                        }

                        Interlocked.Increment(ref established);
                    }
                }

                var registering = Task.WhenAll(joins);
                while (await Task.WhenAny(registering, Task.Delay(TimeSpan.FromSeconds(15), token)) != registering)
                {
                    output.WriteLine($"  … {registerWatch.Elapsed.TotalSeconds:F0} s: {Volatile.Read(ref joined)} joined, {Volatile.Read(ref established)} in session");
                }

                await registering;
                foreach (var (agent, why) in failed)
                {
                    output.WriteLine($"  agent {agent.InstanceArn} left out: {why}");
                    agents.Remove(agent);
                    await agent.DisposeAsync();
                }

                failedJoins = failed.Count;
            }

            var registerTime = registerWatch.Elapsed;
            var harnessRegisterCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            // agentConnected also needs a heartbeat heard lately: under load some may be late, so a bounded wait.
            var connected = await CountConnectedAsync(token);
            var firstConnected = connected;
            for (var wait = Stopwatch.StartNew(); connected != agents.Count && wait.Elapsed < TimeSpan.FromSeconds(60); connected = await CountConnectedAsync(token))
            {
                await Task.Delay(TimeSpan.FromSeconds(2), token);
            }

            output.WriteLine(Line($"register: {agents.Count} of {options.Agents} agents joined and in session in {registerTime.TotalSeconds:F2} s "
                + $"({options.Agents / registerTime.TotalSeconds:F0} agents/s; {options.RegisterConcurrency} at a time); DescribeContainerInstances: {firstConnected} connected at first, {connected} after; "
                + $"control plane CPU {(CpuTicks() - cpuStart) / (double)TicksPerSecond:F1} s, RSS {RssMib("VmRSS"):F0} MiB; harness CPU {harnessRegisterCpu:F1} s"));
            if (connected != agents.Count)
            {
                throw new InvalidOperationException($"{connected} of {agents.Count} agents in session are connected.");
            }

            // Heartbeats for a while with no load, to see their delay on their own.
            var beforeIdle = await HeartbeatBucketsAsync(http, token);
            await Task.Delay(options.IdleHeartbeats, token);
            var beforeLoad = await HeartbeatBucketsAsync(http, token);

            // 2. RunTask: M tasks, until every one is acknowledged RUNNING.
            var cpuLoad = CpuTicks();
            var harnessCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var loadWatch = Stopwatch.StartNew();
            var expected = 0;
            var launched = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
            if (options.Tasks > 0)
            {
                expected += options.Tasks;
                var (accepted, done) = await RunTasksAsync(agents, launched, expected, token);
                output.WriteLine(Line($"runtask: {options.Tasks} tasks accepted in {accepted.TotalSeconds:F2} s ({options.Tasks / accepted.TotalSeconds:F0} tasks/s), "
                    + $"all acknowledged RUNNING after {done.TotalSeconds:F2} s: {options.Tasks / done.TotalSeconds:F0} tasks/s end to end"));
            }

            // 3. Services: S services of K tasks each, until all are acknowledged RUNNING.
            if (options.Services > 0)
            {
                var servicesWatch = Stopwatch.StartNew();
                expected += options.Services * options.ServiceTasks;
                var all = _stored.WaitForAsync(expected);
                for (var s = 0; s < options.Services; s++)
                {
                    await CallAsync("CreateService", new JsonObject
                    {
                        ["cluster"] = Cluster,
                        ["serviceName"] = $"svc-{s}",
                        ["taskDefinition"] = Family,
                        ["desiredCount"] = options.ServiceTasks,
                    }, token);
                }

                await WaitStoredAsync(all, agents, expected, token);
                var took = servicesWatch.Elapsed;
                output.WriteLine(Line($"services: {options.Services} x {options.ServiceTasks} tasks acknowledged RUNNING after {took.TotalSeconds:F2} s "
                    + $"({options.Services * options.ServiceTasks / took.TotalSeconds:F0} tasks/s end to end)"));
            }

            var loadTime = loadWatch.Elapsed;
            var loadCpu = (CpuTicks() - cpuLoad) / (double)TicksPerSecond;
            var harnessLoadCpu = (Process.GetCurrentProcess().TotalProcessorTime - harnessCpu).TotalSeconds;
            var afterLoad = await HeartbeatBucketsAsync(http, token);

            output.WriteLine(Line($"heartbeat delay (sent → handled, control plane histogram): idle p50 ≤ {Quantile(beforeIdle, beforeLoad, 0.50)}, p99 ≤ {Quantile(beforeIdle, beforeLoad, 0.99)} "
                + $"({Count(beforeIdle, beforeLoad)} heartbeats); under load p50 ≤ {Quantile(beforeLoad, afterLoad, 0.50)}, p99 ≤ {Quantile(beforeLoad, afterLoad, 0.99)} ({Count(beforeLoad, afterLoad)} heartbeats)"));
            output.WriteLine(Line($"control plane: RSS {RssMib("VmRSS"):F0} MiB now, peak {RssMib("VmHWM"):F0} MiB; CPU under load {loadCpu:F1} s in {loadTime.TotalSeconds:F1} s "
                + $"= {loadCpu / loadTime.TotalSeconds:F2} cores (harness itself: {harnessLoadCpu / loadTime.TotalSeconds:F2} cores of 2 shared); total CPU {(CpuTicks() - cpuStart) / (double)TicksPerSecond:F1} s"));

            // 4. Exactly once: DescribeTasks says RUNNING for as many tasks as were started, each acknowledged and delivered once.
            var running = await CountRunningAsync(token);
            var duplicates = _deliveries.Values.Sum(n => n - 1);
            var unknown = options.Tasks > 0 ? launched.Keys.Count(arn => !_stored.Contains(arn)) : 0;
            var ok = running == expected && _stored.Count == expected && duplicates == 0 && unknown == 0 && failedJoins == 0;
            output.WriteLine(Line($"check: {(ok ? "OK" : "FAILED")}: {expected} tasks started, {running} RUNNING by DescribeTasks, {_stored.Count} acknowledged RUNNING, "
                + $"{_deliveries.Count} delivered, {duplicates} duplicate deliveries, {unknown} RunTask ARNs never acknowledged"
                + (failedJoins > 0 ? $"; {failedJoins} agents failed to join" : "")));
            output.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()} (other programs on the machine slow every wall-clock figure)");
            return ok ? 0 : 1;
        }

        private async Task<(TimeSpan Accepted, TimeSpan Done)> RunTasksAsync(List<SimulatedAgent> agents, ConcurrentDictionary<string, byte> launched, int expected, CancellationToken token)
        {
            var all = _stored.WaitForAsync(expected);
            var started = Stopwatch.GetTimestamp();
            var watch = Stopwatch.StartNew();
            var calls = (options.Tasks + options.Count - 1) / options.Count;
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, Math.Min(options.Concurrency, calls)).Select(async _ =>
            {
                for (var call = Interlocked.Increment(ref next); call < calls; call = Interlocked.Increment(ref next))
                {
                    var count = Math.Min(options.Count, options.Tasks - (call * options.Count));
                    var response = await CallAsync("RunTask", new JsonObject { ["cluster"] = Cluster, ["taskDefinition"] = Family, ["count"] = count }, token);
                    if (response.GetProperty("failures").GetArrayLength() > 0)
                    {
                        throw new InvalidOperationException("RunTask failed: " + response.GetProperty("failures"));
                    }

                    foreach (var task in response.GetProperty("tasks").EnumerateArray())
                    {
                        launched[task.GetProperty("taskArn").GetString()!] = 0;
                    }
                }
            }));
            var accepted = watch.Elapsed;
            await WaitStoredAsync(all, agents, expected, token);
            return (accepted, Stopwatch.GetElapsedTime(started, _stored.LastAt));
        }

        private async Task WaitStoredAsync(Task all, List<SimulatedAgent> agents, int expected, CancellationToken token)
        {
            var sessionEnded = Task.WhenAny(agents.Select(a => a.Running));
            try
            {
                if (await Task.WhenAny(all, sessionEnded).WaitAsync(token) != all)
                {
                    var ended = await sessionEnded;
                    throw new InvalidOperationException("A simulated agent's session ended: " + (ended.Exception?.GetBaseException().Message ?? "the control plane closed it"));
                }
            }
            catch (OperationCanceledException)
            {
                output.WriteLine(Line($"scale: {_stored.Count} of {expected} tasks acknowledged RUNNING when time ran out; {agents.Sum(a => a.Unacknowledged)} state changes unacknowledged"));
                throw;
            }
        }

        private async Task<JsonElement> CallAsync(string action, JsonObject request, CancellationToken token)
        {
            var reply = await _ecs.CallAsync(new EcsCall { Action = action, Json = request.ToJsonString() }, Signed(CallMethod), DateTime.UtcNow.AddSeconds(120), token);
            using var document = JsonDocument.Parse(reply.Json);
            return document.RootElement.Clone();
        }

        private Metadata Signed(string method)
        {
            var (date, authorization) = CallSignature.Sign(AccessKeyId, secret, method, DateTimeOffset.UtcNow);
            return new Metadata { { CallSignature.DateHeader, date }, { CallSignature.AuthorizationHeader, authorization } };
        }

        /// <summary>ListContainerInstances (every page) and DescribeContainerInstances (100 at a time): how many are connected.</summary>
        private async Task<int> CountConnectedAsync(CancellationToken token)
        {
            var connected = 0;
            foreach (var chunk in (await ListAllAsync("ListContainerInstances", "containerInstanceArns", new JsonObject(), token)).Chunk(100))
            {
                var described = await CallAsync("DescribeContainerInstances", new JsonObject { ["cluster"] = Cluster, ["containerInstances"] = Arns(chunk) }, token);
                connected += described.GetProperty("containerInstances").EnumerateArray().Count(i => i.GetProperty("agentConnected").GetBoolean());
            }

            return connected;
        }

        /// <summary>ListTasks (desired RUNNING, every page) and DescribeTasks (100 at a time): how many are RUNNING.</summary>
        private async Task<int> CountRunningAsync(CancellationToken token)
        {
            var running = 0;
            foreach (var chunk in (await ListAllAsync("ListTasks", "taskArns", new JsonObject { ["desiredStatus"] = "RUNNING" }, token)).Chunk(100))
            {
                var described = await CallAsync("DescribeTasks", new JsonObject { ["cluster"] = Cluster, ["tasks"] = Arns(chunk) }, token);
                running += described.GetProperty("tasks").EnumerateArray().Count(t => t.GetProperty("lastStatus").GetString() == "RUNNING");
            }

            return running;
        }

        private async Task<List<string>> ListAllAsync(string action, string property, JsonObject filter, CancellationToken token)
        {
            var arns = new List<string>();
            string? next = null;
            for (var page = 0; page < 100_000; page++)
            {
                var request = filter.DeepClone().AsObject();
                request["cluster"] = Cluster;
                request["maxResults"] = 100;
                if (next is not null)
                {
                    request["nextToken"] = next;
                }

                var listed = await CallAsync(action, request, token);
                arns.AddRange(listed.GetProperty(property).EnumerateArray().Select(a => a.GetString()!));
                next = listed.TryGetProperty("nextToken", out var more) && more.ValueKind == JsonValueKind.String ? more.GetString() : null;
                if (next is null)
                {
                    break;
                }
            }

            return arns;
        }

        private static JsonArray Arns(IEnumerable<string> arns) => new([.. arns.Select(a => (JsonNode?)a)]);

        /// <summary>The heartbeat delay histogram's cumulative buckets (upper bound → count) from /metrics.</summary>
        private static async Task<SortedDictionary<double, long>> HeartbeatBucketsAsync(HttpClient http, CancellationToken token)
        {
            var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), token);
            var buckets = new SortedDictionary<double, long>();
            foreach (var line in text.Split('\n'))
            {
                if (!line.StartsWith(HeartbeatHistogram, StringComparison.Ordinal))
                {
                    continue;
                }

                var le = line.IndexOf("le=\"", StringComparison.Ordinal);
                var end = le < 0 ? -1 : line.IndexOf('"', le + 4);
                if (end < 0)
                {
                    continue;
                }

                var bound = line[(le + 4)..end] == "+Inf" ? double.PositiveInfinity : double.Parse(line[(le + 4)..end], CultureInfo.InvariantCulture);
                var value = long.Parse(line[(line.LastIndexOf(' ') + 1)..].Split('.')[0], CultureInfo.InvariantCulture);
                buckets[bound] = buckets.GetValueOrDefault(bound) + value;
            }

            return buckets;
        }

        private static long Count(SortedDictionary<double, long> before, SortedDictionary<double, long> after) =>
            after.GetValueOrDefault(double.PositiveInfinity) - before.GetValueOrDefault(double.PositiveInfinity);

        /// <summary>The upper bound of the bucket holding quantile <paramref name="q"/> of the heartbeats between two scrapes.</summary>
        private static string Quantile(SortedDictionary<double, long> before, SortedDictionary<double, long> after, double q)
        {
            var total = Count(before, after);
            if (total <= 0)
            {
                return "n/a";
            }

            foreach (var (bound, cumulative) in after)
            {
                if (cumulative - before.GetValueOrDefault(bound) >= q * total)
                {
                    return double.IsPositiveInfinity(bound) ? "> 10 s" : Line($"{bound * 1000:0.#} ms");
                }
            }

            return "n/a";
        }

        private const int TicksPerSecond = 100; // USER_HZ on Linux

        /// <summary>utime + stime of the control plane process, in clock ticks (/proc/PID/stat fields 14 and 15).</summary>
        private long CpuTicks()
        {
            var stat = File.ReadAllText($"/proc/{controlPlane.ProcessId}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }

        /// <summary>A memory line of /proc/PID/status (VmRSS now, VmHWM peak), in MiB.</summary>
        private double RssMib(string field)
        {
            foreach (var line in File.ReadLines($"/proc/{controlPlane.ProcessId}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
                }
            }

            return double.NaN;
        }
    }
}

/// <summary>The harness's command line (see <see cref="Usage"/>).</summary>
public sealed record ScaleOptions
{
    public const string Usage = "usage: bench/scale.sh [--agents N] [--tasks M] [--services S] [--service-tasks K] [--count 1-10] [--concurrency C] "
        + "[--register-concurrency R] [--idle-seconds I] [--max-seconds T] [--insecure] [--cp-args \"ARGS FOR THE CONTROL PLANE\"]";

    public int Agents { get; init; } = 100;
    public int Tasks { get; init; } = 1000;
    public int Services { get; init; }
    public int ServiceTasks { get; init; } = 10;
    public int Count { get; init; } = 10;
    public int Concurrency { get; init; } = 16;
    public int RegisterConcurrency { get; init; } = 32;
    public TimeSpan IdleHeartbeats { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxRuntime { get; init; } = TimeSpan.FromMinutes(15);
    public bool Secure { get; init; } = true;
    public IReadOnlyList<string> ControlPlaneArguments { get; init; } = [];

    public static ScaleOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new ScaleOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            int Number(int min, int max) =>
                i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                    ? value
                    : throw new ArgumentException($"{name} takes a number from {min} to {max}.");
            options = args[i] switch
            {
                "--scale" => options,
                "--agents" => options with { Agents = Number(1, 100_000) },
                "--tasks" => options with { Tasks = Number(0, 1_000_000) },
                "--services" => options with { Services = Number(0, 10_000) },
                "--service-tasks" => options with { ServiceTasks = Number(1, 10_000) },
                "--count" => options with { Count = Number(1, 10) },
                "--concurrency" => options with { Concurrency = Number(1, 1024) },
                "--register-concurrency" => options with { RegisterConcurrency = Number(1, 1024) },
                "--idle-seconds" => options with { IdleHeartbeats = TimeSpan.FromSeconds(Number(0, 600)) },
                "--max-seconds" => options with { MaxRuntime = TimeSpan.FromSeconds(Number(10, 24 * 3600)) },
                "--insecure" => options with { Secure = false },
                "--cp-args" => options with
                {
                    ControlPlaneArguments = i + 1 < args.Length ? args[++i].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : throw new ArgumentException("--cp-args takes a value."),
                },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }

        return options.Tasks + (options.Services * options.ServiceTasks) > 0 ? options : throw new ArgumentException("nothing to run: give --tasks or --services.");
    }
}
