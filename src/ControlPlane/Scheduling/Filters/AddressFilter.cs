using Orchestrator.ControlPlane.Scheduling.Engine;

namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>An awsvpc task needs a free address in a subnet serving its instance: an exhausted pool is RESOURCE:ENI.</summary>
internal sealed class AddressFilter(AddressPools pools) : IPlacementFilter
{
    public string Reason => PlacementReasons.Eni;

    public bool Passes(in InstanceState instance) => pools.HasAddress(instance.Index);

    public string Detail(in InstanceState instance)
    {
        var subnets = pools.Serving(instance.Index).Select(s => $"{s.Id} ({s.Range})").ToList();
        return subnets.Count == 1
            ? $"The subnet {subnets[0]} has no free address for the task's network interface."
            : $"The subnets {string.Join(", ", subnets)} have no free address for the task's network interface.";
    }

    public string Summary(int count) => $"{count} had no free address in their subnets";
}
