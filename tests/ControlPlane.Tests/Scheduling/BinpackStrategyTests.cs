using static Orchestrator.ControlPlane.Tests.Scheduling.Hosts;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

public sealed class BinpackStrategyTests
{
    [Theory]
    [InlineData("memory", new[] { "a", "c", "c", "c", "b" })]
    [InlineData("cpu", new[] { "b", "b", "a", "c", "c" })] // a has memory for one task only
    public void Place_Binpack_FillsTheInstanceWithLeastRemainingFirst(string field, string[] expected)
    {
        var snapshot = Snapshot(
            Host("a", cpu: 1024, memory: 1000),
            Host("b", cpu: 600, memory: 3000),
            Host("c", cpu: 2048, memory: 2000));

        var result = Place(snapshot, count: 5, rules: Rules(strategies: ("binpack", field)));

        Assert.Equal(expected, result.Ids());
    }

    [Fact]
    public void Place_BinpackTie_FallsToTheNextStrategy()
    {
        var snapshot = Snapshot(Host("a", cpu: 1024, memory: 2048), Host("b", cpu: 512, memory: 2048), Host("c", cpu: 2048, memory: 4096));

        var result = Place(snapshot, rules: Rules(strategies: [("binpack", "memory"), ("binpack", "cpu")]));

        Assert.Equal(["b"], result.Ids());
    }

    [Fact]
    public void Place_BinpackTieWithoutFurtherStrategy_TakesTheFirstInArnOrder()
    {
        var result = Place(Snapshot(Host("b"), Host("a")), rules: Rules(strategies: ("binpack", "memory")));

        Assert.Equal(["a"], result.Ids());
    }
}
