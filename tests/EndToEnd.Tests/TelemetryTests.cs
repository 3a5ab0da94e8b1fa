using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet.Models;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// One scenario on a real control plane and agent — a service of 4, one container killed, a rolling update — with a
/// real Prometheus (Debian's <c>prometheus</c>) scraping both programs' <c>/metrics</c> every second, and both
/// programs writing their spans to files (<c>--Telemetry:SpanFile</c>). The tests read what they recorded.
/// </summary>
public sealed class TelemetryScenario : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orch-otel-" + Guid.NewGuid().ToString("N")[..10]);

    public LocalCluster Cluster { get; private set; } = null!;
    public ManagedProcess Prometheus { get; private set; } = null!;
    public int PrometheusPort { get; } = FreePort();
    public int AgentPort { get; } = FreePort();
    public string ControlPlaneSpans => Path.Combine(_root, "controlplane-spans.jsonl");
    public string AgentSpans => Path.Combine(_root, "agent-spans.jsonl");
    public List<string> Output { get; } = [];

    /// <summary>The placements the scenario implies: 4 at creation, 1 replacing the killed task, 4 for the new revision.</summary>
    public const int Placements = 9;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        Cluster = new LocalCluster
        {
            ControlPlaneArguments = [$"--Telemetry:SpanFile={ControlPlaneSpans}", "--log-format", "json"],
            AgentArguments = [$"--Agent:IntrospectionEndpoint=127.0.0.1:{AgentPort}", $"--Telemetry:SpanFile={AgentSpans}"],
        };
        await Cluster.StartControlPlaneAsync();
        (await Cluster.OrchAsync("cluster", "create", Cluster.ClusterName)).EnsureSuccess();
        await Cluster.StartAgentAsync();
        await Cluster.WaitForConnectedInstanceAsync();

        var config = Path.Combine(_root, "prometheus.yml");
        await File.WriteAllTextAsync(config, $$"""
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
            scrape_configs:
              - job_name: orch-controlplane
                static_configs: [{targets: ["127.0.0.1:{{Cluster.HttpPort}}"]}]
              - job_name: orch-agent
                static_configs: [{targets: ["127.0.0.1:{{AgentPort}}"]}]
            """, Token);
        Prometheus = ManagedProcess.StartProgram("prometheus", "prometheus",
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_root, "tsdb")}", $"--web.listen-address=127.0.0.1:{PrometheusPort}"]);
        await Eventually.Async(async () => Assert.Equal("1", await ScalarAsync("count(up{job=~\"orch-.*\"} == 1) == bool 2")),
            TimeSpan.FromSeconds(30), () => Prometheus.Output + Cluster.Diagnostics());

        await ServiceTests.RegisterAsync(Cluster, "web", "local/busybox:1");
        await Cluster.Docker.Images.TagImageAsync("local/busybox:1", new ImageTagParameters { RepositoryName = "local/busybox", Tag = "otel-v2" }, Token);
        await ServiceTests.RegisterAsync(Cluster, "web", "local/busybox:otel-v2");
        var watch = Stopwatch.StartNew();
        (await Cluster.OrchAsync("service", "create", "web", "--cluster", Cluster.ClusterName, "-t", "web:1", "-n", "4", "--wait", "--timeout", "2m")).EnsureSuccess();
        Output.Add($"service of 4 RUNNING: {watch.Elapsed.TotalSeconds:0.0} s");

        var victim = (await ServiceTests.ServiceTasksAsync(Cluster))[0];
        await Cluster.Docker.Containers.KillContainerAsync(victim.Containers[0].RuntimeId!, new ContainerKillParameters(), Token);
        await Eventually.Async(async () =>
        {
            var now = await ServiceTests.ServiceTasksAsync(Cluster);
            Assert.Equal(4, now.Count(t => t.LastStatus == "RUNNING"));
            Assert.DoesNotContain(now, t => t.TaskArn == victim.TaskArn);
        }, TimeSpan.FromSeconds(60), Cluster.Diagnostics, TimeSpan.FromMilliseconds(500));

        watch.Restart();
        (await Cluster.OrchAsync("service", "update", "web", "--cluster", Cluster.ClusterName, "-t", "web:2", "--wait", "--timeout", "3m")).EnsureSuccess();
        Output.Add($"rolling update of 4: {watch.Elapsed.TotalSeconds:0.0} s");
        await Eventually.Async(async () =>
        {
            var now = await ServiceTests.ServiceTasksAsync(Cluster);
            Assert.Equal(4, now.Count(t => t.LastStatus == "RUNNING" && t.TaskDefinitionArn.EndsWith("web:2", StringComparison.Ordinal)));
            Assert.Equal(4, now.Count);
        }, TimeSpan.FromSeconds(60), Cluster.Diagnostics, TimeSpan.FromMilliseconds(500));
    }

    /// <summary>An instant query's single value (the first series'), or null when it has none.</summary>
    public async Task<string?> ScalarAsync(string query)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{PrometheusPort}/api/v1/query?query={Uri.EscapeDataString(query)}"), Token);
        using var json = JsonDocument.Parse(body);
        var data = json.RootElement.GetProperty("data");
        var result = data.GetProperty("result");
        if (data.GetProperty("resultType").GetString() == "scalar")
        {
            return result[1].GetString();
        }

        return result.GetArrayLength() == 0 ? null : result[0].GetProperty("value")[1].GetString();
    }

    public async Task<double> NumberAsync(string query) =>
        double.Parse(await ScalarAsync(query) ?? throw new Xunit.Sdk.XunitException($"no series for {query}"), CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (Prometheus is not null)
        {
            await Prometheus.DisposeAsync();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        try
        {
            await Cluster!.Docker.Images.DeleteImageAsync("local/busybox:otel-v2", new ImageDeleteParameters(), CancellationToken.None);
        }
        catch (Exception e) when (e is Docker.DotNet.DockerApiException or ObjectDisposedException)
        {
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Acceptance of issue 18: what Prometheus scraped, and one trace across both programs.</summary>
public sealed class TelemetryTests(TelemetryScenario scenario) : IClassFixture<TelemetryScenario>
{
    private string C => scenario.Cluster.ClusterName;

    private string Diagnostics() => scenario.Prometheus.Output[^Math.Min(4000, scenario.Prometheus.Output.Length)..] + scenario.Cluster.Diagnostics();

    [Fact(Timeout = 240_000)]
    public async Task Prometheus_ScrapesBothPrograms_AndHoldsWhatTheScenarioImplies()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        foreach (var line in scenario.Output)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(line);
        }

        await Eventually.Async(async () =>
        {
            // Tasks by state: the 4 of the new revision run; the killed one and the 4 replaced by the update stopped.
            Assert.Equal(4, await scenario.NumberAsync($"orch_tasks{{cluster=\"{C}\",state=\"RUNNING\"}}"));
            Assert.Equal(5, await scenario.NumberAsync($"orch_tasks{{cluster=\"{C}\",state=\"STOPPED\"}}"));
            Assert.Equal(4, await scenario.NumberAsync($"orch_service_tasks{{cluster=\"{C}\",service=\"web\",kind=\"running\"}}"));
            Assert.Equal(4, await scenario.NumberAsync($"orch_service_tasks{{cluster=\"{C}\",service=\"web\",kind=\"desired\"}}"));
            Assert.Equal(0, await scenario.NumberAsync($"orch_deployments_in_progress{{cluster=\"{C}\"}}"));
            // Placements: 4 + 1 replacement + 4 for the update, none unplaced.
            Assert.Equal(TelemetryScenario.Placements, await scenario.NumberAsync($"sum(orch_placements_total{{cluster=\"{C}\",result=\"placed\"}})"));
            Assert.Null(await scenario.ScalarAsync($"orch_placements_total{{cluster=\"{C}\",result=\"unplaced\"}}"));
            // Placement is timed once per launch request (a service pass places all its tasks in one): 3 to 9 of them.
            Assert.InRange(await scenario.NumberAsync($"sum(orch_placement_duration_seconds_count{{cluster=\"{C}\"}})"), 3, TelemetryScenario.Placements);
            // The agent: one create and one start per placed task, each answered; Docker's times add up to something.
            Assert.Equal(TelemetryScenario.Placements, await scenario.NumberAsync("orch_docker_operation_duration_seconds_count{job=\"orch-agent\",kind=\"create\",result=\"ok\"}"));
            Assert.Equal(TelemetryScenario.Placements, await scenario.NumberAsync("orch_docker_operation_duration_seconds_count{job=\"orch-agent\",kind=\"start\",result=\"ok\"}"));
            Assert.True(await scenario.NumberAsync("orch_docker_operation_duration_seconds_sum{job=\"orch-agent\",kind=\"start\",result=\"ok\"}") > 0);
            // 5 stops: the service stopped the killed task's container (already gone) and the 4 of the old revision.
            Assert.True(await scenario.NumberAsync("sum(orch_docker_operation_duration_seconds_count{job=\"orch-agent\",kind=\"stop\"})") >= 4);
        }, TimeSpan.FromSeconds(30), Diagnostics, TimeSpan.FromSeconds(1));

        // Over the scenario: one deployment was in progress during the update.
        Assert.Equal(1, await scenario.NumberAsync($"max_over_time(orch_deployments_in_progress{{cluster=\"{C}\"}}[10m])"));

        // The agent is connected and heard from within its heartbeat interval (2 s) plus a scrape's slack.
        Assert.Equal(1, await scenario.NumberAsync($"orch_agents_connected{{cluster=\"{C}\"}}"));
        var lag = await scenario.NumberAsync($"max_over_time(orch_agent_heartbeat_lag_seconds{{cluster=\"{C}\"}}[2m])");
        Assert.InRange(lag, 0, 3.5);
        Assert.Equal(0, await scenario.NumberAsync($"max_over_time(orch_agent_outbox_depth{{cluster=\"{C}\"}}[2m])") > 100 ? 1 : 0);

        // Per-task CPU and memory from the agent's stats sampler, one series per running container.
        // (The sampler drops the replaced containers at its next round: until then, and until the next scrape, they show.)
        await Eventually.Async(async () =>
        {
            Assert.Equal(4, await scenario.NumberAsync("count(orch_task_memory_usage_bytes{job=\"orch-agent\"} > 0)"));
            Assert.Equal(4, await scenario.NumberAsync("count(orch_task_cpu_utilization_percent{job=\"orch-agent\"})"));
        }, TimeSpan.FromSeconds(30), Diagnostics, TimeSpan.FromSeconds(1));

        // Runtime instrumentation in both programs.
        Assert.Equal(2, await scenario.NumberAsync("count(dotnet_process_memory_working_set_bytes{job=~\"orch-.*\"})"));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"heartbeat lag max {lag:0.00} s; placement p50 {await scenario.ScalarAsync($"histogram_quantile(0.5, sum by (le) (orch_placement_duration_seconds_bucket{{cluster=\"{C}\"}}))")} s; " +
            $"docker start p50 {await scenario.ScalarAsync("histogram_quantile(0.5, sum by (le) (orch_docker_operation_duration_seconds_bucket{kind=\"start\"}))")} s");
    }

    [Fact(Timeout = 120_000)]
    public async Task OneTrace_CoversPlacementInTheControlPlane_AndCreateStartInTheAgent()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        var controlPlane = await ReadSpansAsync(scenario.ControlPlaneSpans);
        var agent = await ReadSpansAsync(scenario.AgentSpans);
        TestContext.Current.TestOutputHelper?.WriteLine($"{controlPlane.Count} control plane spans, {agent.Count} agent spans");

        // Every task the scenario placed has a trace: placement → commit → dispatch in the control plane, then the
        // agent's run_task, create and start (children of the dispatch span) and its RUNNING report.
        var traces = controlPlane.Where(s => s.Name == "placement").Select(s => s.TraceId).Distinct().ToList();
        Assert.InRange(traces.Count, 3, TelemetryScenario.Placements);
        var complete = traces.Where(id =>
            controlPlane.Any(s => s.TraceId == id && s.Name == "commit") &&
            controlPlane.Any(s => s.TraceId == id && s.Name == "dispatch") &&
            agent.Any(s => s.TraceId == id && s.Name == "docker.create") &&
            agent.Any(s => s.TraceId == id && s.Name == "docker.start") &&
            agent.Any(s => s.TraceId == id && s.Name == "agent.report" && s.Tags.GetValueOrDefault("orch.status") == "Running")).ToList();
        Assert.NotEmpty(complete);

        // JSON logs (--log-format json): lines written inside a launch (the service's events) carry its trace id.
        var output = scenario.Cluster.ControlPlane!.Output;
        Assert.Contains(traces, id => output.Contains($"\"TraceId\":\"{id}\"", StringComparison.Ordinal));

        var trace = complete[0];
        var dispatch = controlPlane.First(s => s.TraceId == trace && s.Name == "dispatch");
        var runTask = Assert.Single(agent, s => s.TraceId == trace && s.Name == "agent.run_task" && s.Tags.GetValueOrDefault("orch.task_arn") == dispatch.Tags["orch.task_arn"]);
        Assert.Equal(dispatch.SpanId, runTask.ParentSpanId);
        var create = Assert.Single(agent, s => s.TraceId == trace && s.Name == "docker.create" && s.Tags.GetValueOrDefault("orch.task_arn") == dispatch.Tags["orch.task_arn"]);
        Assert.Equal(runTask.SpanId, create.ParentSpanId);
        foreach (var span in controlPlane.Concat(agent).Where(s => s.TraceId == trace).OrderBy(s => s.Start))
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{span.Start:HH:mm:ss.fff} {span.Name,-16} {span.DurationMs,8:0.0} ms {string.Join(' ', span.Tags.Select(t => t.Key + "=" + t.Value))}");
        }
    }

    private sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name, DateTime Start, double DurationMs, Dictionary<string, string> Tags);

    private static async Task<List<Span>> ReadSpansAsync(string path)
    {
        var spans = new List<Span>();
        foreach (var line in await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken))
        {
            using var json = JsonDocument.Parse(line);
            var r = json.RootElement;
            spans.Add(new Span(
                r.GetProperty("traceId").GetString()!, r.GetProperty("spanId").GetString()!, r.GetProperty("parentSpanId").GetString()!,
                r.GetProperty("name").GetString()!, r.GetProperty("start").GetDateTime(), r.GetProperty("durationMs").GetDouble(),
                r.GetProperty("tags").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")));
        }

        return spans;
    }
}
