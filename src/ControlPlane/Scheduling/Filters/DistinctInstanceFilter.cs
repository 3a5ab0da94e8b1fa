namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>distinctInstance: no instance runs two tasks of the request's group.</summary>
internal sealed class DistinctInstanceFilter(string? group) : IPlacementFilter
{
    public string Reason => PlacementReasons.Attribute;

    public bool Passes(in InstanceState instance) => instance.GroupTasks == 0;

    public string Detail(in InstanceState instance) => group is null
        ? "The container instance already runs a task of this request (distinctInstance)."
        : $"The container instance already runs a task of group '{group}' (distinctInstance).";

    public string Summary(int count) => $"{count} failed distinctInstance";
}
