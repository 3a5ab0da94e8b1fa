using Orchestrator.ControlPlane.Scheduling;
using static Orchestrator.ControlPlane.Tests.Scheduling.Hosts;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

public sealed class RandomStrategyTests
{
    private static readonly ClusterSnapshot Four = Snapshot(Host("a"), Host("b"), Host("c"), Host("d"));

    [Fact]
    public void Place_SameSeed_GivesTheSamePlan()
    {
        var first = Place(Four, count: 10, rules: Rules(strategies: ("random", null)), seed: 42);
        var second = Place(Four, count: 10, rules: Rules(strategies: ("random", null)), seed: 42);

        Assert.Equal(first.InstanceArns, second.InstanceArns);
    }

    [Fact]
    public void Place_NoStrategies_IsRandomOverEveryEligibleInstance()
    {
        var firstChoices = Enumerable.Range(0, 200).Select(seed => Place(Four, seed: (ulong)seed).Ids()[0]).ToList();

        Assert.Equal(["a", "b", "c", "d"], firstChoices.Distinct().Order());
        Assert.All(firstChoices.CountBy(id => id), pair => Assert.InRange(pair.Value, 25, 75));
    }

    [Fact]
    public void Place_RandomAfterSpread_OnlyBreaksTheSpreadTies()
    {
        var snapshot = Snapshot(Host("a", groups: Groups(("family:web", 1))), Host("b"), Host("c"));

        var picks = Enumerable.Range(0, 50).Select(seed =>
            Place(snapshot, rules: Rules(strategies: [("spread", "instanceId"), ("random", null)]), seed: (ulong)seed).Ids()[0]).ToHashSet();

        Assert.Equal(["b", "c"], picks.Order());
    }

    [Fact]
    public void Place_StrategyAfterRandom_HasNoEffect()
    {
        var snapshot = Snapshot(Host("a", memory: 1024), Host("b", memory: 8192));

        var picks = Enumerable.Range(0, 50).Select(seed =>
            Place(snapshot, rules: Rules(strategies: [("random", null), ("binpack", "memory")]), seed: (ulong)seed).Ids()[0]).ToHashSet();

        Assert.Equal(["a", "b"], picks.Order());
    }
}
