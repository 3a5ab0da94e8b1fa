namespace Orchestrator.Ecs.Model;

/// <summary>
/// ECS's PlacementConstraint: <c>distinctInstance</c> (no expression) or <c>memberOf</c> with a cluster query
/// language expression of at most 2,000 characters. Members stay nullable so a request is read as sent and then
/// validated with ECS's messages.
/// </summary>
public sealed record PlacementConstraint(string? Type = null, string? Expression = null);

/// <summary>
/// ECS's PlacementStrategy: <c>random</c> (no field), <c>spread</c> (<c>instanceId</c>, <c>host</c> or
/// <c>attribute:&lt;name&gt;</c>) or <c>binpack</c> (<c>cpu</c> or <c>memory</c>).
/// </summary>
public sealed record PlacementStrategy(string? Type = null, string? Field = null);

public static class PlacementConstraintTypes
{
    public const string DistinctInstance = "distinctInstance";
    public const string MemberOf = "memberOf";
}

public static class PlacementStrategyTypes
{
    public const string Random = "random";
    public const string Spread = "spread";
    public const string Binpack = "binpack";
}
