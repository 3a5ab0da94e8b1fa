using BenchmarkDotNet.Attributes;

namespace Orchestrator.Benchmarks;

/// <summary>BenchmarkDotNet's view of the scenario: one operation is one placement.</summary>
[MemoryDiagnoser]
public class PlacementBenchmarks
{
    private PlacementScenario _scenario = null!;

    [Params(100, 1_000, 5_000)]
    public int Instances { get; set; }

    [GlobalSetup]
    public void Setup() => _scenario = new PlacementScenario(Instances);

    [Benchmark(OperationsPerInvoke = PlacementScenario.Tasks, Description = "10,000 tasks, one request")]
    public int OneRequest() => _scenario.PlaceAll().InstanceArns.Count;

    [Benchmark(OperationsPerInvoke = PlacementScenario.Tasks, Description = "10,000 tasks, requests of 10")]
    public int RequestsOf10() => _scenario.PlaceInBatchesOf10();
}
