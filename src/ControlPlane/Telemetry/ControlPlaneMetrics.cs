using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Orchestrator.ControlPlane.Telemetry;

/// <summary>
/// The control plane's one <see cref="Meter"/> (<see cref="MeterName"/>) and the instruments recorded on its paths.
/// The observable gauges over the state snapshot and the agent sessions are added by the composition root
/// (<c>ControlPlaneTelemetry</c>), which sees both. Recording costs nothing when no listener (Prometheus, OTLP) is
/// attached; with one, a counter add or histogram record with a <see cref="TagList"/> does not allocate.
/// Names and units are listed in README ("Metrics and traces"); Prometheus adds <c>_total</c> and <c>_seconds</c>.
/// </summary>
public sealed class ControlPlaneMetrics
{
    public const string MeterName = "Orchestrator.ControlPlane";

    /// <summary>The spans of a task's launch: RunTask, placement, commit, dispatch.</summary>
    public static readonly ActivitySource Source = new(MeterName);

    private readonly Counter<long> _placements;
    private readonly Histogram<double> _placementDuration;
    private readonly Histogram<double> _launchDuration;
    private readonly Histogram<double> _heartbeatDelay;

    public ControlPlaneMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter = meters.Create(MeterName);
        _placements = Meter.CreateCounter<long>("orch.placements", "{task}", "Tasks placed (result=placed) or not (result=unplaced, reason=ECS reason code), by cluster.");
        _placementDuration = Meter.CreateHistogram<double>("orch.placement.duration", "s", "Time to place one launch request over a snapshot (no lock held).");
        _launchDuration = Meter.CreateHistogram<double>("orch.run_task.duration", "s", "RunTask/StartTask: from the request to the tasks committed and dispatched, by action and result.");
        // Explicit buckets: the SDK's defaults (0, 5, 10, 25, … 10000) suit milliseconds, not seconds.
        _heartbeatDelay = Meter.CreateHistogram<double>("orch.agent.heartbeat.delay", "s",
            "From an agent's heartbeat (its sent_at) to the control plane handling it: the wire plus any queue on the session stream.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    }

    public Meter Meter { get; }

    /// <summary>Counts one launch's outcome: its placed tasks, and each unplaced one under its reason.</summary>
    public void Placed(string cluster, int placed, IReadOnlyList<string> unplacedReasons)
    {
        ArgumentNullException.ThrowIfNull(unplacedReasons);
        if (!_placements.Enabled)
        {
            return;
        }

        if (placed > 0)
        {
            _placements.Add(placed, new TagList { { "cluster", cluster }, { "result", "placed" }, { "reason", "" } });
        }

        foreach (var reason in unplacedReasons)
        {
            _placements.Add(1, new TagList { { "cluster", cluster }, { "result", "unplaced" }, { "reason", reason } });
        }
    }

    public void PlacementTook(string cluster, long startTimestamp)
    {
        if (_placementDuration.Enabled)
        {
            _placementDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new TagList { { "cluster", cluster } });
        }
    }

    public void LaunchTook(string action, string result, long startTimestamp)
    {
        if (_launchDuration.Enabled)
        {
            _launchDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new TagList { { "action", action }, { "result", result } });
        }
    }

    /// <summary>A heartbeat handled: <paramref name="delay"/> since the agent sent it (negative clock skew counts as 0).</summary>
    public void HeartbeatHandled(TimeSpan delay)
    {
        if (_heartbeatDelay.Enabled)
        {
            _heartbeatDelay.Record(Math.Max(0, delay.TotalSeconds));
        }
    }
}
