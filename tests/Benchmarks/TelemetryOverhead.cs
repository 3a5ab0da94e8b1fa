using System.Diagnostics;
using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.Telemetry;

namespace Orchestrator.Benchmarks;

/// <summary>
/// Telemetry on vs off, printed in one run (<c>--telemetry-overhead</c>). Placement: requests of 10 tasks over 1,000
/// instances, each wrapped as <c>TaskLauncher.Plan</c>/<c>Commit</c> wrap it (a placement span, the latency histogram,
/// the placements counter), with no listener (off) and with the OpenTelemetry SDK's meter and tracer providers
/// listening, every span sampled (on); rounds alternate off/on and the fastest of each is kept. The figure is the
/// process's CPU time (every thread: the placing one, the GC and the exporters'), which other programs on a shared
/// machine do not inflate; wall time is printed beside it. RunTask end to end:
/// <see cref="RunTaskLoad"/> against a control plane started with <c>--Telemetry:Enabled=false</c>, with its default
/// (metrics, Prometheus exporter), and with traces too (<c>--Telemetry:SpanFile</c>: every span written to a file).
/// </summary>
public static class TelemetryOverhead
{
    private const int Requests = 1_000;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var scenario = new PlacementScenario(1_000);
        using var factory = new MeterFactory();
        var metrics = new ControlPlaneMetrics(factory);
        Cost off = Cost.Worst, on = Cost.Worst;
        Round(scenario, metrics);
        for (var i = 0; i < 10; i++)
        {
            off = off.Best(Round(scenario, metrics));
            using (Listening())
            {
                Round(scenario, metrics); // the providers' first records (their aggregators, the exporter thread) are setup, not overhead
                on = on.Best(Round(scenario, metrics));
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"placement (requests of 10, 1,000 instances): telemetry off {off.Cpu:N0} ns/placement, on {on.Cpu:N0} ns/placement ({(on.Cpu / off.Cpu - 1) * 100:+0.0;-0.0} %) of process CPU time; wall time off {off.Wall:N0}, on {on.Wall:N0} ns/placement ({(on.Wall / off.Wall - 1) * 100:+0.0;-0.0} %)"));

        var spanFile = Path.Combine(Path.GetTempPath(), $"orch-bench-spans-{Guid.NewGuid():N}.jsonl");
        var failed = 0;
        try
        {
            foreach (var load in RunTaskLoad.FromArguments([.. args.Where(a => a != "--telemetry-overhead")]))
            {
                failed += await (load with { Label = " [telemetry off]", ControlPlaneArguments = ["--Telemetry:Enabled=false"] }).RunAsync(output);
                failed += await (load with { Label = " [metrics on]" }).RunAsync(output);
                failed += await (load with { Label = " [metrics + traces]", ControlPlaneArguments = [$"--Telemetry:SpanFile={spanFile}"] }).RunAsync(output);
            }
        }
        finally
        {
            File.Delete(spanFile);
        }

        return failed == 0 ? 0 : 1;
    }

    /// <summary>ns per placed task (process CPU, wall) for <see cref="Requests"/> requests of 10, instrumented as the launcher does.</summary>
    private static Cost Round(PlacementScenario scenario, ControlPlaneMetrics metrics)
    {
        var cpu = ProcessCpuNanoseconds();
        var watch = Stopwatch.StartNew();
        for (var n = 0; n < Requests; n++)
        {
            using var span = ControlPlaneMetrics.Source.StartActivity("placement");
            var started = Stopwatch.GetTimestamp();
            var result = PlacementEngine.Place(scenario.Snapshot, new PlacementRequest(PlacementScenario.Needs, 10, "service:web", scenario.Rules, (ulong)n));
            metrics.PlacementTook("bench", started);
            metrics.Placed("bench", result.Placements.Count, []);
            span?.SetTag("orch.placed", result.Placements.Count);
        }

        return new Cost((ProcessCpuNanoseconds() - cpu) / (double)(Requests * 10), watch.Elapsed.TotalNanoseconds / (Requests * 10));
    }

    /// <summary>CPU time of every thread of this process (CLOCK_PROCESS_CPUTIME_ID), in ns.</summary>
    private static long ProcessCpuNanoseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (long)Process.GetCurrentProcess().TotalProcessorTime.TotalNanoseconds;
        }

        _ = NativeMethods.clock_gettime(2, out var now);
        return (now.Seconds * 1_000_000_000) + now.Nanoseconds;
    }

    private readonly record struct Cost(double Cpu, double Wall)
    {
        public static Cost Worst { get; } = new(double.MaxValue, double.MaxValue);

        public Cost Best(Cost other) => new(Math.Min(Cpu, other.Cpu), Math.Min(Wall, other.Wall));
    }

    private static IDisposable Listening()
    {
        var meters = Sdk.CreateMeterProviderBuilder().AddMeter(ControlPlaneMetrics.MeterName)
            .AddReader(new PeriodicExportingMetricReader(new NullExporter<Metric>(), 60_000)).Build();
        var tracer = Sdk.CreateTracerProviderBuilder().AddSource(ControlPlaneMetrics.MeterName).SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(new NullExporter<Activity>())).Build();
        return new Both(meters, tracer);
    }

    private sealed class Both(IDisposable a, IDisposable b) : IDisposable
    {
        public void Dispose()
        {
            a.Dispose();
            b.Dispose();
        }
    }

    private sealed class NullExporter<T> : BaseExporter<T>
        where T : class
    {
        public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
    }

    private sealed class MeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        private readonly List<System.Diagnostics.Metrics.Meter> _meters = [];

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
        {
            var meter = new System.Diagnostics.Metrics.Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    private static class NativeMethods
    {
        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        internal static extern int clock_gettime(int clock, out TimeSpec time);
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
