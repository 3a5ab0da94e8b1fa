using Orchestrator.ControlPlane.Scheduling.Query;

namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>A validated placement constraint, ready for the engine. Build with <see cref="PlacementValidation"/>.</summary>
public abstract record ParsedConstraint
{
    private protected ParsedConstraint()
    {
    }

    /// <summary>How the constraint reads in explanations: <c>distinctInstance</c>, <c>memberOf(expression)</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Whether the outcome on an instance can change as the request places tasks.</summary>
    public abstract bool IsDynamic { get; }

    public sealed override string ToString() => Description;
}

/// <summary>No two tasks of the request's group on one instance (tasks already running count).</summary>
public sealed record DistinctInstanceConstraint : ParsedConstraint
{
    public static DistinctInstanceConstraint Instance { get; } = new();

    public override string Description => "distinctInstance";

    public override bool IsDynamic => true;
}

/// <summary>Only instances for which the cluster query language expression holds.</summary>
public sealed record MemberOfConstraint : ParsedConstraint
{
    internal MemberOfConstraint(string expression, QueryNode query)
    {
        Expression = expression;
        Query = query;
    }

    public string Expression { get; }

    internal QueryNode Query { get; }

    public override string Description => $"memberOf({Expression})";

    public override bool IsDynamic => Query.IsDynamic;

    /// <summary>Parses an expression; a malformed one throws InvalidParameterException naming the character.</summary>
    public static MemberOfConstraint Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return new MemberOfConstraint(expression.Trim(), QueryParser.Parse(expression));
    }

    /// <summary>Whether the expression holds for an instance as it is in the snapshot.</summary>
    public bool Matches(InstanceSnapshot instance) => Query.Evaluate(new QueryContext(instance));
}
