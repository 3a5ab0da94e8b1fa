using Orchestrator.ControlPlane.Scheduling.Query;

namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>
/// memberOf(expression): the instance must satisfy the cluster query language expression. The expression is
/// evaluated over the whole snapshot up front; only an expression on task:group or runningTasksCount is evaluated
/// again, on an instance the request has placed tasks on.
/// </summary>
internal sealed class MemberOfFilter : IPlacementFilter
{
    private readonly MemberOfConstraint constraint;
    private readonly string? group;
    private readonly bool[] initially;

    public MemberOfFilter(MemberOfConstraint constraint, string? group, ClusterSnapshot snapshot)
    {
        this.constraint = constraint;
        this.group = group;
        initially = new bool[snapshot.Items.Length];
        constraint.Query.EvaluateAll(snapshot, initially);
    }

    public string Reason => PlacementReasons.Attribute;

    public bool Passes(in InstanceState instance) => instance.PlacedHere == 0 || !constraint.IsDynamic
        ? initially[instance.Index]
        : constraint.Query.Evaluate(new QueryContext(instance.Snapshot, instance.PlacedHere, group));

    public string Detail(in InstanceState instance) => $"The container instance does not satisfy {constraint.Description}.";

    public string Summary(int count) => $"{count} failed {constraint.Description}";
}
