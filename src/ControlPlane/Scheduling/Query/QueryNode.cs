namespace Orchestrator.ControlPlane.Scheduling.Query;

/// <summary>A node of a parsed expression.</summary>
internal abstract class QueryNode
{
    /// <summary>Whether the value can change as the current request places tasks (task:group, runningTasksCount).</summary>
    public abstract bool IsDynamic { get; }

    public abstract bool Evaluate(in QueryContext context);

    /// <summary>
    /// The value on every instance of the snapshot before the request places anything: what placement starts from.
    /// </summary>
    public virtual void EvaluateAll(ClusterSnapshot snapshot, bool[] result)
    {
        var instances = snapshot.Items;
        for (var i = 0; i < instances.Length; i++)
        {
            result[i] = Evaluate(new QueryContext(instances[i]));
        }
    }
}

internal sealed class AndNode(QueryNode left, QueryNode right) : QueryNode
{
    public override bool IsDynamic { get; } = left.IsDynamic || right.IsDynamic;

    public override bool Evaluate(in QueryContext context) => left.Evaluate(context) && right.Evaluate(context);

    public override void EvaluateAll(ClusterSnapshot snapshot, bool[] result)
    {
        left.EvaluateAll(snapshot, result);
        var other = new bool[result.Length];
        right.EvaluateAll(snapshot, other);
        for (var i = 0; i < result.Length; i++)
        {
            result[i] &= other[i];
        }
    }

    public override string ToString() => $"({left} and {right})";
}

internal sealed class OrNode(QueryNode left, QueryNode right) : QueryNode
{
    public override bool IsDynamic { get; } = left.IsDynamic || right.IsDynamic;

    public override bool Evaluate(in QueryContext context) => left.Evaluate(context) || right.Evaluate(context);

    public override void EvaluateAll(ClusterSnapshot snapshot, bool[] result)
    {
        left.EvaluateAll(snapshot, result);
        var other = new bool[result.Length];
        right.EvaluateAll(snapshot, other);
        for (var i = 0; i < result.Length; i++)
        {
            result[i] |= other[i];
        }
    }

    public override string ToString() => $"({left} or {right})";
}

internal sealed class NotNode(QueryNode inner) : QueryNode
{
    public override bool IsDynamic => inner.IsDynamic;

    public override bool Evaluate(in QueryContext context) => !inner.Evaluate(context);

    public override void EvaluateAll(ClusterSnapshot snapshot, bool[] result)
    {
        inner.EvaluateAll(snapshot, result);
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = !result[i];
        }
    }

    public override string ToString() => $"not {inner}";
}
