using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Orchestrator.Agent.Telemetry;

/// <summary>
/// The agent's one <see cref="Meter"/> (<see cref="MeterName"/>) and <see cref="ActivitySource"/>: Docker operation
/// durations by kind and result, image pull time and bytes. The per-task CPU and memory gauges over the stats
/// sampler's latest samples are added by the composition root (<c>AgentTelemetry</c>). Recording costs nothing when
/// no listener is attached; with one, a histogram record with a <see cref="TagList"/> does not allocate.
/// </summary>
public sealed class AgentMetrics
{
    public const string MeterName = "Orchestrator.Agent";

    /// <summary>The agent's spans of a task launch (run_task, pull, create, start), children of the control plane's dispatch.</summary>
    public static readonly ActivitySource Source = new(MeterName);

    private readonly Histogram<double> _dockerDuration;
    private readonly Counter<long> _pullBytes;

    public AgentMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter = meters.Create(MeterName);
        _dockerDuration = Meter.CreateHistogram<double>("orch.docker.operation.duration", "s",
            "Docker Engine API calls by kind (pull, create, start, stop, inspect, remove, …) and result (ok, error, timeout, cancelled); kind=pull is the image pull time.");
        _pullBytes = Meter.CreateCounter<long>("orch.image.pull.bytes", "By", "Bytes of image layers downloaded by pulls (Docker's progress totals).");
    }

    public Meter Meter { get; }

    public void DockerOperation(string kind, string result, long startTimestamp)
    {
        if (_dockerDuration.Enabled)
        {
            _dockerDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new TagList { { "kind", kind }, { "result", result } });
        }
    }

    public void Pulled(long bytes)
    {
        if (bytes > 0)
        {
            _pullBytes.Add(bytes);
        }
    }
}
