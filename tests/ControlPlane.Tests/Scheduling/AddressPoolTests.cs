using Orchestrator.ControlPlane.Scheduling;
using static Orchestrator.ControlPlane.Tests.Scheduling.Hosts;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

/// <summary>awsvpc tasks take an address from a subnet serving their instance; subnets are shared between instances.</summary>
public sealed class AddressPoolTests
{
    private static SubnetSnapshot Subnet(string id, int free) => new(id, "10.0.0.10-10.0.0.20", free);

    [Fact]
    public void Place_SubnetSharedByTwoInstances_PlacesOnlyAsManyTasksAsItHasAddresses()
    {
        var snapshot = Snapshot([Subnet("subnet-a", 3)], Host("h1", subnets: ["subnet-a"]), Host("h2", subnets: ["subnet-a"]));

        var result = Place(snapshot, count: 5, needs: Needs(eni: true), rules: Rules(strategies: ("spread", "instanceId")));

        Assert.Equal(3, result.InstanceArns.Count);
        Assert.Equal(2, result.Unplaced.Count);
        Assert.All(result.Unplaced, u => Assert.Equal(PlacementReasons.Eni, u.Reason));
        Assert.All(result.InstanceFailures, f => Assert.Equal(
            "The subnet subnet-a (10.0.0.10-10.0.0.20) has no free address for the task's network interface.", f.Detail));
        Assert.Contains("2 had no free address in their subnets", result.Unplaced[0].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Place_ExhaustedSubnet_FailsWithEniBeforeAnyTaskIsPlaced()
    {
        var snapshot = Snapshot([Subnet("subnet-a", 0)], Host("h1", subnets: ["subnet-a"]));

        var result = Place(snapshot, needs: Needs(eni: true));

        Assert.Empty(result.InstanceArns);
        Assert.Equal(PlacementReasons.Eni, Assert.Single(result.Unplaced).Reason);
    }

    [Fact]
    public void Place_InstanceInTwoSubnets_TakesFromTheNextWhenTheFirstIsEmpty()
    {
        var snapshot = Snapshot([Subnet("subnet-a", 1), Subnet("subnet-b", 2)], Host("h1", subnets: ["subnet-a", "subnet-b"]));

        var result = Place(snapshot, count: 4, needs: Needs(eni: true));

        Assert.Equal(3, result.InstanceArns.Count);
        Assert.Equal(
            "The subnets subnet-a (10.0.0.10-10.0.0.20), subnet-b (10.0.0.10-10.0.0.20) have no free address for the task's network interface.",
            Assert.Single(result.InstanceFailures).Detail);
    }

    [Fact]
    public void Place_RequestNamesSubnets_OnlyInstancesTheyServeQualify()
    {
        var snapshot = Snapshot([Subnet("subnet-a", 10), Subnet("subnet-b", 10)], Host("h1", subnets: ["subnet-a"]), Host("h2", subnets: ["subnet-b"]));

        var result = Place(snapshot, count: 3, needs: Needs(eni: true), subnets: ["subnet-b"]);

        Assert.Equal(["h2", "h2", "h2"], result.Ids());
        var refused = Place(snapshot, needs: Needs(eni: true), subnets: ["subnet-b"], rules: Rules("attribute:none exists"));
        Assert.Contains(refused.InstanceFailures, f => f.Reason == PlacementReasons.Location && f.Detail == "None of the task's subnets (subnet-b) serves the container instance.");
    }

    [Fact]
    public void Place_SlotsAndAddresses_TheScarcerDecides()
    {
        var snapshot = Snapshot([Subnet("subnet-a", 10)], Host("h1", eniSlots: 2, subnets: ["subnet-a"]));

        var result = Place(snapshot, count: 3, needs: Needs(eni: true));

        Assert.Equal(2, result.InstanceArns.Count);
        Assert.Equal("The container instance has no free awsvpc task slot: it runs at most 2 awsvpc tasks.", Assert.Single(result.InstanceFailures).Detail);
    }

    [Fact]
    public void Place_BridgeTask_IgnoresSubnets()
    {
        var snapshot = Snapshot([Subnet("subnet-a", 0)], Host("h1", subnets: []));

        Assert.Single(Place(snapshot, needs: Needs(dynamicTcp: 1)).InstanceArns);
    }

    [Fact]
    public void Place_DynamicPorts_AreTakenPerTaskAndProtocol()
    {
        var snapshot = Snapshot(Host("h1", dynamicTcp: 5, dynamicUdp: 1));

        var result = Place(snapshot, count: 3, needs: Needs(dynamicTcp: 2, dynamicUdp: 1));

        Assert.Single(result.InstanceArns);
        Assert.Equal(PlacementReasons.PortsUdp, result.Unplaced[0].Reason);
        Assert.Equal(2, Place(snapshot, count: 3, needs: Needs(dynamicTcp: 2)).InstanceArns.Count);
    }
}
