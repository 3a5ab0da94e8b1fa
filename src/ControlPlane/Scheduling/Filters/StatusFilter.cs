using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>Only ACTIVE instances take tasks; DRAINING ones keep what they run.</summary>
internal sealed class StatusFilter : IPlacementFilter
{
    public static StatusFilter Instance { get; } = new();

    public string Reason => PlacementReasons.Inactive;

    public bool Passes(in InstanceState instance) => instance.Snapshot.Status == ContainerInstanceStatus.Active;

    public string Detail(in InstanceState instance) => $"The container instance is {instance.Snapshot.Status}, not ACTIVE.";

    public string Summary(int count) => $"{count} {(count == 1 ? "was" : "were")} not ACTIVE";
}
