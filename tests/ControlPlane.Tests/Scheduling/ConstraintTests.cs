using Orchestrator.ControlPlane.Scheduling;
using static Orchestrator.ControlPlane.Tests.Scheduling.Hosts;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

/// <summary>Constraints and resources as tasks of one request are placed one after another.</summary>
public sealed class ConstraintTests
{
    [Fact]
    public void Place_DistinctInstance_PutsEachTaskOfTheGroupOnAnotherInstance()
    {
        var snapshot = Snapshot(Host("a"), Host("b", groups: Groups(("family:web", 1))), Host("c"), Host("d"));

        var result = Place(snapshot, count: 4, rules: Rules(distinct: true, strategies: ("binpack", "memory")));

        Assert.Equal(["a", "c", "d"], result.Ids());
        Assert.Equal(PlacementReasons.Attribute, Assert.Single(result.Unplaced).Reason);
        Assert.Contains("4 failed distinctInstance", result.Unplaced[0].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Place_MemberOfTaskGroup_IsAffinityToInstancesRunningThatGroup()
    {
        var snapshot = Snapshot(Host("a"), Host("b", groups: Groups(("service:db", 1))), Host("c"));

        var result = Place(snapshot, count: 3, rules: Rules("task:group == service:db"));

        Assert.Equal(["b", "b", "b"], result.Ids());
    }

    [Fact]
    public void Place_NotTaskGroupOfItsOwnGroup_IsAntiAffinityWithinTheRequest()
    {
        var snapshot = Snapshot(Host("a"), Host("b"), Host("c", groups: Groups(("family:web", 1))));

        var result = Place(snapshot, count: 3, rules: Rules("not(task:group == family:web)", strategies: ("binpack", "memory")));

        Assert.Equal(["a", "b"], result.Ids());
        Assert.Contains("3 failed memberOf(not(task:group == family:web))", result.Unplaced[0].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Place_RunningTasksCountZero_CountsTasksPlacedByTheRequest()
    {
        var snapshot = Snapshot(Host("a"), Host("b", runningTasks: 1), Host("c"));

        var result = Place(snapshot, count: 3, rules: Rules("runningTasksCount == 0"));

        Assert.Equal(["a", "c"], result.Ids().Order());
    }

    [Fact]
    public void Place_MemberOfAttributeWithSpread_StaysWithinTheMembers()
    {
        var snapshot = Snapshot(
            Host("a", attributes: Attrs(("type", "t2.small"), ("zone", "1"))),
            Host("b", attributes: Attrs(("type", "t2.large"), ("zone", "1"))),
            Host("c", attributes: Attrs(("type", "t2.small"), ("zone", "2"))));

        var result = Place(snapshot, count: 4, rules: Rules("attribute:type =~ t2.small", strategies: ("spread", "attribute:zone")));

        Assert.Equal(["a", "c", "a", "c"], result.Ids());
    }

    [Theory]
    [InlineData(1024, 512, null, 0, 2, PlacementReasons.Memory)]
    [InlineData(4096, 512, 8080, 0, 1, PlacementReasons.Ports)]
    [InlineData(4096, 512, null, 2, 2, PlacementReasons.Gpu)]
    public void Place_SeveralTasksOnOneInstance_TakesEachTasksResources(int memory, int needMemory, int? port, int gpus, int placed, string reason)
    {
        var host = Host("a", memory: memory, gpus: gpus);
        var needs = Needs(memory: needMemory, tcp: port is { } p ? [p] : [], gpus: gpus > 0 ? 1 : 0);

        var result = Place(Snapshot(host), count: 5, needs: needs);

        Assert.Equal(placed, result.InstanceArns.Count);
        Assert.Equal(reason, result.Unplaced[0].Reason);
    }

    [Fact]
    public void Place_AwsvpcSlots_AreTakenOnePerTask()
    {
        var result = Place(Snapshot(Host("a", eniSlots: 2)), count: 3, needs: Needs(eni: true));

        Assert.Equal(2, result.InstanceArns.Count);
        Assert.Equal(PlacementReasons.Eni, result.Unplaced[0].Reason);
    }
}
