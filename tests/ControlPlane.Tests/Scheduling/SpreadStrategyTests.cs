using static Orchestrator.ControlPlane.Tests.Scheduling.Hosts;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

public sealed class SpreadStrategyTests
{
    [Theory]
    [InlineData("instanceId")]
    [InlineData("host")]
    public void Place_SpreadInstances_EvensOutTasksOfTheGroup(string field)
    {
        var snapshot = Snapshot(Host("a"), Host("b"), Host("c", groups: Groups(("family:web", 2), ("other", 5))));

        var result = Place(snapshot, count: 4, rules: Rules(strategies: ("spread", field)));

        Assert.Equal(["a", "b", "a", "b"], result.Ids());
    }

    [Fact]
    public void Place_SpreadAttributeThenInstances_BalancesZonesThenHosts()
    {
        var snapshot = Snapshot(
            Host("a", attributes: Attrs(("zone", "1"))),
            Host("b", attributes: Attrs(("zone", "1"))),
            Host("c", attributes: Attrs(("zone", "2"))));

        var result = Place(snapshot, count: 4, rules: Rules(strategies: [("spread", "attribute:zone"), ("spread", "instanceId")]));

        Assert.Equal(["a", "c", "b", "c"], result.Ids());
    }

    [Fact]
    public void Place_SpreadAttribute_CountsRunningTasksOfTheGroupOnlyIncludingFullInstances()
    {
        var snapshot = Snapshot(
            Host("a", attributes: Attrs(("zone", "1")), groups: Groups(("other", 9))),
            Host("b", memory: 0, attributes: Attrs(("zone", "2")), groups: Groups(("family:web", 2))),
            Host("c", attributes: Attrs(("zone", "2"))));

        var result = Place(snapshot, count: 4, rules: Rules(strategies: [("spread", "attribute:zone"), ("spread", "instanceId")]));

        Assert.Equal(["a", "a", "c", "a"], result.Ids());
    }

    [Fact]
    public void Place_SpreadAttribute_InstancesWithoutItSpreadAsOneMoreValue()
    {
        var snapshot = Snapshot(Host("a", attributes: Attrs(("zone", "1"))), Host("b"), Host("c"));

        var result = Place(snapshot, count: 4, rules: Rules(strategies: [("spread", "attribute:zone"), ("spread", "instanceId")]));

        Assert.Equal(["a", "b", "c", "a"], result.Ids());
    }

    [Fact]
    public void Place_SpreadThenBinpack_PacksWithinTheLeastUsedZone()
    {
        var snapshot = Snapshot(
            Host("a", memory: 4096, attributes: Attrs(("zone", "1"))),
            Host("b", memory: 2048, attributes: Attrs(("zone", "1"))),
            Host("c", memory: 8192, attributes: Attrs(("zone", "2"))));

        var result = Place(snapshot, count: 3, rules: Rules(strategies: [("spread", "attribute:zone"), ("binpack", "memory")]));

        Assert.Equal(["b", "c", "b"], result.Ids());
    }
}
