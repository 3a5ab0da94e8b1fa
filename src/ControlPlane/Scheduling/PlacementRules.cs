namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// The validated constraints and strategies of one placement: the request's merged with the task definition's.
/// No strategies means random, RunTask's default.
/// </summary>
public sealed record PlacementRules(IReadOnlyList<ParsedConstraint> Constraints, IReadOnlyList<ParsedStrategy> Strategies)
{
    public static PlacementRules None { get; } = new([], []);

    /// <summary>A REPLICA service's default: spread over availability zones, then over instances.</summary>
    public static IReadOnlyList<ParsedStrategy> ServiceDefaultStrategies { get; } =
        [ParsedStrategy.SpreadAttribute("ecs.availability-zone"), ParsedStrategy.SpreadInstances];

    /// <summary>The strategies the engine applies: the given ones, or random when there are none.</summary>
    public IReadOnlyList<ParsedStrategy> EffectiveStrategies => Strategies.Count == 0 ? [ParsedStrategy.Random] : Strategies;
}
