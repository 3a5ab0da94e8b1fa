using Orchestrator.ControlPlane.Scheduling;
using static Orchestrator.ControlPlane.Tests.Scheduling.Hosts;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

/// <summary>StartTask's placement: one task on each named instance.</summary>
public sealed class PlaceOnTests
{
    [Fact]
    public void PlaceOn_NamedInstances_PlacesOneTaskOnEachThatFits()
    {
        var snapshot = Snapshot(Host("a"), Host("b", memory: 100), Host("c", attributes: Attrs(("zone", "x"))));
        var request = new PlacementRequest(Needs(), 0, "family:web", Rules("attribute:zone !exists"));

        var result = PlacementEngine.PlaceOn(snapshot, request, ["a", Cluster + "b", "c", "nope", "a"]);

        Assert.Equal(["a", "a"], result.Ids());
        Assert.Equal(
            [(Cluster + "b", PlacementReasons.Memory), (Cluster + "c", PlacementReasons.Attribute), ("nope", PlacementReasons.Missing)],
            result.InstanceFailures.Select(f => (f.InstanceArn, f.Reason)));
        Assert.Equal([1, 2, 3], result.Unplaced.Select(u => u.Index));
    }

    [Fact]
    public void PlaceOn_SameInstanceTwice_CountsTheFirstTask()
    {
        var result = PlacementEngine.PlaceOn(Snapshot(Host("a")), new PlacementRequest(Needs(), 0, "family:web", Rules(distinct: true)), ["a", "a"]);

        Assert.Equal(["a"], result.Ids());
        Assert.Equal(PlacementReasons.Attribute, Assert.Single(result.Unplaced).Reason);
    }
}
