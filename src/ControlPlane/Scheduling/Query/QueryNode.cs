namespace Orchestrator.ControlPlane.Scheduling.Query;

/// <summary>A node of a parsed expression.</summary>
internal abstract class QueryNode
{
    /// <summary>Whether the value can change as the current request places tasks (task:group, runningTasksCount).</summary>
    public abstract bool IsDynamic { get; }

    public abstract bool Evaluate(in QueryContext context);
}

internal sealed class AndNode(QueryNode left, QueryNode right) : QueryNode
{
    public override bool IsDynamic { get; } = left.IsDynamic || right.IsDynamic;

    public override bool Evaluate(in QueryContext context) => left.Evaluate(context) && right.Evaluate(context);

    public override string ToString() => $"({left} and {right})";
}

internal sealed class OrNode(QueryNode left, QueryNode right) : QueryNode
{
    public override bool IsDynamic { get; } = left.IsDynamic || right.IsDynamic;

    public override bool Evaluate(in QueryContext context) => left.Evaluate(context) || right.Evaluate(context);

    public override string ToString() => $"({left} or {right})";
}

internal sealed class NotNode(QueryNode inner) : QueryNode
{
    public override bool IsDynamic => inner.IsDynamic;

    public override bool Evaluate(in QueryContext context) => !inner.Evaluate(context);

    public override string ToString() => $"not {inner}";
}
