using Orchestrator.ControlPlane.Scheduling.Query;

namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>
/// memberOf(expression): the instance must satisfy the cluster query language expression. The expression is
/// evaluated over the whole snapshot up front; only an expression on task:group or runningTasksCount is evaluated
/// again, on an instance the request has placed tasks on.
/// </summary>
internal sealed class MemberOfFilter : IPlacementFilter
{
    private readonly MemberOfConstraint _constraint;
    private readonly string? _group;
    private readonly bool[] _initially;

    public MemberOfFilter(MemberOfConstraint constraint, string? group, ClusterSnapshot snapshot)
    {
        _constraint = constraint;
        _group = group;
        _initially = new bool[snapshot.Items.Length];
        constraint.Query.EvaluateAll(snapshot, _initially);
    }

    public string Reason => PlacementReasons.Attribute;

    public bool Passes(in InstanceState instance) => instance.PlacedHere == 0 || !_constraint.IsDynamic
        ? _initially[instance.Index]
        : _constraint.Query.Evaluate(new QueryContext(instance.Snapshot, instance.PlacedHere, _group));

    public string Detail(in InstanceState instance) => $"The container instance does not satisfy {_constraint.Description}.";

    public string Summary(int count) => $"{count} failed {_constraint.Description}";
}
