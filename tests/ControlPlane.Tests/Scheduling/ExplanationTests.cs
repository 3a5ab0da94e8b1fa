using Orchestrator.ControlPlane.Scheduling;
using static Orchestrator.ControlPlane.Tests.Scheduling.Hosts;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

public sealed class ExplanationTests
{
    [Fact]
    public void Place_MixedFailures_CountsEachFilterAndNamesTheClosestInstance()
    {
        var snapshot = Snapshot(
            Host("a", memory: 100, attributes: Attrs(("zone", "b"))),
            Host("b", memory: 100, attributes: Attrs(("zone", "b"))),
            Host("c", memory: 100),
            Host("d", attributes: Attrs(("zone", "a"))),
            Host("e", attributes: Attrs(("zone", "c"))));

        var result = Place(snapshot, count: 3, rules: Rules("attribute:zone == b"));

        Assert.Empty(result.InstanceArns);
        Assert.Equal([0, 1, 2], result.Unplaced.Select(u => u.Index));
        var unplaced = result.Unplaced[0];
        Assert.Equal(PlacementReasons.Attribute, unplaced.Reason); // d got past the resource filters
        Assert.Equal(
            "No container instance met all of the task's requirements. Of 5 container instances, 3 lacked memory "
            + "(the task needs 512 MiB), 2 failed memberOf(attribute:zone == b). "
            + "The closest, d: The container instance does not satisfy memberOf(attribute:zone == b).",
            unplaced.Explanation);
        Assert.Equal(
            [(PlacementReasons.Memory, 3), (PlacementReasons.Attribute, 2)],
            unplaced.Counts.Select(c => (c.Reason, c.Instances)));
        Assert.Equal(
            ["a", "b", "c", "d", "e"],
            result.InstanceFailures.Select(f => f.InstanceArn[(f.InstanceArn.LastIndexOf('/') + 1)..]));
        Assert.Equal(3, result.InstanceFailures.Count(f => f.Reason == PlacementReasons.Memory));
    }

    [Fact]
    public void Place_PartlyPlaced_ExplainsWhyTheRestDidNotFit()
    {
        var snapshot = Snapshot(Host("a", memory: 1024), Host("b", memory: 600, connected: false));

        var result = Place(snapshot, count: 4);

        Assert.Equal(["a", "a"], result.Ids());
        Assert.Equal([2, 3], result.Unplaced.Select(u => u.Index));
        Assert.Equal(PlacementReasons.Memory, result.Unplaced[1].Reason);
        Assert.Contains("Of 2 container instances, 1 had no connected agent, 1 lacked memory (the task needs 512 MiB).", result.Unplaced[1].Explanation, StringComparison.Ordinal);
        Assert.Contains("The closest, a: The task needs 512 MiB of memory; the container instance has 0 MiB left.", result.Unplaced[1].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Place_AllPlaced_HasNoFailures()
    {
        var result = Place(Snapshot(Host("a")), count: 2);

        Assert.True(result.IsComplete);
        Assert.Empty(result.InstanceFailures);
    }
}
