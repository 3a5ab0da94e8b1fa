using BenchmarkDotNet.Running;
using Orchestrator.Benchmarks;

if (args.Contains("--scale"))
{
    return await ScaleRun.RunAsync(args, Console.Out);
}

if (args.Contains("--runtask"))
{
    return await RunTaskAll(args);
}

if (args.Contains("--telemetry-overhead"))
{
    return await TelemetryOverhead.RunAsync(args, Console.Out);
}

if (args.Contains("--quick"))
{
    var placement = QuickRun.Run(Console.Out);
    Console.Out.WriteLine();
    return placement != 0 ? placement : await RunTaskAll(args);
}

BenchmarkRunner.Run<PlacementBenchmarks>(args: args);
return 0;

// RunTask end to end against the real control plane process: one line per request shape.
static async Task<int> RunTaskAll(string[] args)
{
    var failed = 0;
    foreach (var load in RunTaskLoad.FromArguments(args))
    {
        failed += await load.RunAsync(Console.Out);
    }

    return failed == 0 ? 0 : 1;
}
