using Orchestrator.ControlPlane.Scheduling.Engine;

namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>
/// An awsvpc task takes an address from a subnet that serves its instance (one the request allows, when it names
/// any). No such subnet: ECS's LOCATION, the reason for an instance outside the task's subnets.
/// </summary>
internal sealed class SubnetFilter(AddressPools pools) : IPlacementFilter
{
    public string Reason => PlacementReasons.Location;

    public bool Passes(in InstanceState instance) => pools.Serves(instance.Index);

    public string Detail(in InstanceState instance) => pools.Allowed is { } allowed
        ? $"None of the task's subnets ({string.Join(", ", allowed)}) serves the container instance."
        : "No subnet serves the container instance (ControlPlane:Subnets, --subnet), so it has no address for an awsvpc task.";

    public string Summary(int count) => $"{count} {(count == 1 ? "was" : "were")} outside the task's subnets";
}
