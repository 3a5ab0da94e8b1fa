using BenchmarkDotNet.Running;
using Orchestrator.Benchmarks;

if (args.Contains("--quick"))
{
    return QuickRun.Run(Console.Out);
}

BenchmarkRunner.Run<PlacementBenchmarks>(args: args);
return 0;
