using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Telemetry;
using Orchestrator.Telemetry;
using Orchestrator.Ecs.Model;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Orchestrator.ControlPlane;

/// <summary>
/// The control plane's telemetry: the OpenTelemetry SDK (metrics always, unless <c>Telemetry:Enabled=false</c>;
/// traces when an OTLP endpoint or a span file is configured), the gauges read from the state snapshot and the agent
/// sessions, and the Prometheus <c>/metrics</c> endpoint with its access rule.
/// </summary>
public static class ControlPlaneTelemetry
{
    /// <summary>Registers the SDK from the standard <c>OTEL_*</c> variables and the <c>Telemetry</c> section.</summary>
    public static void Add(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ControlPlaneMetrics>();
        builder.Services.AddSingleton<ControlPlaneGauges>();
        var configuration = builder.Configuration;
        if (!configuration.GetValue("Telemetry:Enabled", true))
        {
            return;
        }

        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var spanFile = configuration["Telemetry:SpanFile"];
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? "orch-controlplane"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ControlPlaneMetrics.MeterName).AddRuntimeInstrumentation().AddAspNetCoreInstrumentation().AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp || !string.IsNullOrWhiteSpace(spanFile))
        {
            otel.WithTracing(tracing =>
            {
                tracing.AddSource(ControlPlaneMetrics.MeterName).AddAspNetCoreInstrumentation();
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }

                if (!string.IsNullOrWhiteSpace(spanFile))
                {
                    tracing.AddProcessor(new SimpleActivityExportProcessor(new SpanFileExporter(spanFile)));
                }
            });
        }
    }

    /// <summary>
    /// Maps <c>/metrics</c> (Prometheus text format). Without <c>ControlPlane:MetricsTokenFile</c> it answers only
    /// callers on loopback (a Prometheus on the same host); with one, any caller that sends <c>Authorization: Bearer
    /// TOKEN</c> (Prometheus' <c>authorization.credentials_file</c>), and no one else.
    /// </summary>
    public static void Map(WebApplication app, ControlPlaneOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        _ = app.Services.GetRequiredService<ControlPlaneGauges>();
        if (app.Services.GetService<MeterProvider>() is not { } provider)
        {
            return;
        }

        var token = options.MetricsTokenFile is { Length: > 0 } file ? Encoding.UTF8.GetBytes(File.ReadAllText(file).Trim()) : null;
        if (token is { Length: 0 })
        {
            // An empty token would let "Authorization: Bearer " through: refuse to start rather than serve everyone.
            throw new InvalidOperationException($"The metrics token file {options.MetricsTokenFile} is empty.");
        }

        app.MapPrometheusScrapingEndpoint("/metrics", provider, pipeline => pipeline.Use(async (context, next) =>
        {
            if (Allowed(context, token) is { } refusal)
            {
                context.Response.StatusCode = refusal.Status;
                if (refusal.Status == StatusCodes.Status401Unauthorized)
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                }

                await context.Response.WriteAsync(refusal.Message, context.RequestAborted).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        }), optionsName: null);
    }

    private static (int Status, string Message)? Allowed(HttpContext context, byte[]? token) =>
        Security.LoopbackOrBearer.Check(context, token, "metrics");
}

/// <summary>
/// The gauges read when a scrape or an export asks: tasks by state per cluster, services' desired/running/pending,
/// deployments in progress, connected agents, heartbeat lag and outbox depth per agent. Snapshot-derived counts are
/// worked out once per snapshot version and reused until the state changes.
/// </summary>
public sealed class ControlPlaneGauges
{
    private readonly StateStore _store;
    private readonly AgentSessions _sessions;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private StateSnapshot? _countedFor;
    private Counts _counts = new([], [], []);

    public ControlPlaneGauges(ControlPlaneMetrics metrics, StateStore store, AgentSessions sessions, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _store = store;
        _sessions = sessions;
        _clock = clock;
        var meter = metrics.Meter;
        meter.CreateObservableGauge("orch.tasks", () => Current().Tasks, "{task}", "Tasks by cluster and last status (state).");
        meter.CreateObservableGauge("orch.service.tasks", () => Current().Services, "{task}", "Each service's desired, running and pending task counts (kind).");
        meter.CreateObservableGauge("orch.deployments.in_progress", () => Current().Deployments, "{deployment}", "Service deployments whose rollout is IN_PROGRESS, by cluster.");
        meter.CreateObservableGauge("orch.agents.connected", ConnectedAgents, "{agent}", "Agents with an open session, by cluster.");
        meter.CreateObservableGauge("orch.agent.heartbeat.lag", HeartbeatLag, "s", "Time since each connected agent was last heard from.");
        meter.CreateObservableGauge("orch.agent.outbox.depth", OutboxDepth, "{message}", "Messages queued for each connected agent's session, not yet written to it.");
    }

    private sealed record Counts(Measurement<long>[] Tasks, Measurement<long>[] Services, Measurement<long>[] Deployments);

    private Counts Current()
    {
        var state = _store.Current;
        lock (_gate)
        {
            if (!ReferenceEquals(state, _countedFor))
            {
                _counts = Count(state);
                _countedFor = state;
            }

            return _counts;
        }
    }

    private static Counts Count(StateSnapshot state)
    {
        var tasks = state.Tasks.Values
            .GroupBy(t => (t.ClusterName, t.Task.LastStatus))
            .Select(g => new Measurement<long>(g.Count(), new KeyValuePair<string, object?>("cluster", g.Key.ClusterName), new KeyValuePair<string, object?>("state", g.Key.LastStatus)))
            .ToArray();
        var services = new List<Measurement<long>>();
        var deployments = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var service in state.Services.Values.Where(s => s.Status == ServiceStatus.Active))
        {
            var live = state.TasksOf(service).Where(t => t.Task.LastStatus != TaskStatus.Stopped && t.Task.DesiredStatus == TaskStatus.Running).ToList();
            var desired = service.IsDaemon ? service.Primary?.DesiredCount ?? 0 : service.DesiredCount;
            Add("desired", desired);
            Add("running", live.Count(t => t.Task.LastStatus == TaskStatus.Running));
            Add("pending", live.Count(t => t.Task.LastStatus is TaskStatus.Pending or TaskStatus.Provisioning));
            deployments[service.ClusterName] = deployments.GetValueOrDefault(service.ClusterName)
                + service.Deployments.Count(d => d.RolloutState == RolloutStates.InProgress);

            void Add(string kind, long value) => services.Add(new Measurement<long>(value,
                new KeyValuePair<string, object?>("cluster", service.ClusterName),
                new KeyValuePair<string, object?>("service", service.Name),
                new KeyValuePair<string, object?>("kind", kind)));
        }

        foreach (var cluster in state.Clusters.Keys)
        {
            deployments.TryAdd(cluster, 0);
        }

        return new Counts(tasks, [.. services], [.. deployments.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("cluster", d.Key)))]);
    }

    private IEnumerable<Measurement<long>> ConnectedAgents()
    {
        var state = _store.Current;
        return _sessions.OpenSessions
            .GroupBy(s => state.Instance(s.InstanceArn)?.ClusterName ?? "")
            .Select(g => new Measurement<long>(g.Count(), new KeyValuePair<string, object?>("cluster", g.Key)))
            .ToList();
    }

    private IEnumerable<Measurement<double>> HeartbeatLag()
    {
        var state = _store.Current;
        var now = _clock.GetUtcNow();
        return _sessions.OpenSessions
            .Select(s => new Measurement<double>(Math.Max(0, (now - s.LastHeardAt).TotalSeconds), Labels(state, s.InstanceArn)))
            .ToList();
    }

    private IEnumerable<Measurement<long>> OutboxDepth()
    {
        var state = _store.Current;
        return _sessions.OpenSessions
            .Select(s => new Measurement<long>(s.Outgoing.Reader.CanCount ? s.Outgoing.Reader.Count : 0, Labels(state, s.InstanceArn)))
            .ToList();
    }

    /// <summary>An agent's labels: its cluster and its container instance ID (the ARN's last part).</summary>
    private static KeyValuePair<string, object?>[] Labels(StateSnapshot state, string instanceArn) =>
    [
        new("cluster", state.Instance(instanceArn)?.ClusterName ?? ""),
        new("instance", instanceArn[(instanceArn.LastIndexOf('/') + 1)..]),
    ];
}
