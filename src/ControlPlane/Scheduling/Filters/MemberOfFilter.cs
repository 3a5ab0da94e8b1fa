using Orchestrator.ControlPlane.Scheduling.Query;

namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>memberOf(expression): the instance must satisfy the cluster query language expression.</summary>
internal sealed class MemberOfFilter(MemberOfConstraint constraint, string? group) : IPlacementFilter
{
    public string Reason => PlacementReasons.Attribute;

    public bool Passes(in InstanceState instance) =>
        constraint.Query.Evaluate(new QueryContext(instance.Snapshot, instance.PlacedHere, group));

    public string Detail(in InstanceState instance) => $"The container instance does not satisfy {constraint.Description}.";

    public string Summary(int count) => $"{count} failed {constraint.Description}";
}
