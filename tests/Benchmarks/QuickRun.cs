using System.Diagnostics;
using System.Globalization;

namespace Orchestrator.Benchmarks;

/// <summary>
/// A plain stopwatch run that finishes well under a minute: per cluster size, warm up, then time repeated rounds of
/// 10,000 placements for about two seconds and keep the fastest round (the least disturbed by the machine).
/// Allocation is measured on this thread over all rounds.
/// </summary>
public static class QuickRun
{
    private static readonly int[] Sizes = [100, 1_000, 5_000];
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    public static int Run(TextWriter output)
    {
        var rows = new List<(int Instances, string Shape, double PerSecond, double Nanoseconds, double Bytes)>();
        foreach (var size in Sizes)
        {
            var scenario = new PlacementScenario(size);
            rows.Add(Measure(size, "one request", () => scenario.PlaceAll()));
            rows.Add(Measure(size, "requests of 10", () => scenario.PlaceInBatchesOf10()));
        }

        output.WriteLine($"Placing {PlacementScenario.Tasks:N0} tasks: memberOf({PlacementScenario.MemberOf}) + spread(attribute:ecs.availability-zone) + binpack(memory)");
        output.WriteLine();
        output.WriteLine("| Instances | Request shape  | Placements/s | ns/placement | Allocated B/placement |");
        output.WriteLine("|----------:|:---------------|-------------:|-------------:|----------------------:|");
        foreach (var row in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Instances,9:N0} | {row.Shape,-14} | {row.PerSecond,12:N0} | {row.Nanoseconds,12:N0} | {row.Bytes,21:N1} |"));
        }

        output.WriteLine();
        var headline = rows.First(r => r.Instances == 1_000 && r.Shape == "one request");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"placement: {headline.PerSecond:F0} placements/s at 1000 instances"));
        return 0;
    }

    private static (int, string, double, double, double) Measure(int size, string shape, Action round)
    {
        round(); // warm up: JIT and tiering
        round();
        var best = TimeSpan.MaxValue;
        var rounds = 0;
        var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
        var total = Stopwatch.StartNew();
        while (total.Elapsed < Budget || rounds < 3)
        {
            var one = Stopwatch.StartNew();
            round();
            best = one.Elapsed < best ? one.Elapsed : best;
            rounds++;
        }

        var bytes = (double)(GC.GetAllocatedBytesForCurrentThread() - bytesBefore) / rounds / PlacementScenario.Tasks;
        var nanoseconds = best.TotalNanoseconds / PlacementScenario.Tasks;
        return (size, shape, 1e9 / nanoseconds, nanoseconds, bytes);
    }
}
