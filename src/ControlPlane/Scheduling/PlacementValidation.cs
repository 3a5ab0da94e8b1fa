using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// Checks placement constraints and strategies as ECS does, and parses them once for the engine. Every problem is an
/// InvalidParameterException with a message that says what to change.
/// </summary>
public static class PlacementValidation
{
    public const int MaxConstraints = 10;
    public const int MaxStrategies = 5;
    public const int MaxExpressionLength = 2000;
    private const int MaxAttributeName = 128;

    /// <summary>Validates a request's constraints (already merged with the task definition's) and strategies.</summary>
    public static PlacementRules Validate(IReadOnlyList<PlacementConstraint?>? constraints, IReadOnlyList<PlacementStrategy?>? strategies)
    {
        var parsedConstraints = ValidateConstraints(constraints);
        strategies ??= [];
        if (strategies.Count > MaxStrategies)
        {
            throw EcsException.InvalidParameter($"A task can have at most {MaxStrategies} placement strategies; {strategies.Count} were given.");
        }

        return new PlacementRules(parsedConstraints, strategies.Select(Parse).ToList());
    }

    /// <summary>Constraints alone; a task definition may carry only memberOf ones.</summary>
    public static IReadOnlyList<ParsedConstraint> ValidateConstraints(IReadOnlyList<PlacementConstraint?>? constraints, bool forTaskDefinition = false)
    {
        constraints ??= [];
        if (constraints.Count > MaxConstraints)
        {
            throw EcsException.InvalidParameter(
                $"A task can have at most {MaxConstraints} placement constraints, counting the task definition's; {constraints.Count} were given.");
        }

        var parsed = constraints.Select(Parse).ToList();
        return forTaskDefinition && parsed.Any(c => c is DistinctInstanceConstraint)
            ? throw EcsException.InvalidParameter("A task definition's placement constraints can only be of type memberOf.")
            : parsed;
    }

    public static ParsedConstraint Parse(PlacementConstraint? constraint)
    {
        constraint ??= new PlacementConstraint(); // a null list entry reads as a constraint without a type
        switch (constraint.Type)
        {
            case PlacementConstraintTypes.DistinctInstance:
                return string.IsNullOrEmpty(constraint.Expression)
                    ? DistinctInstanceConstraint.Instance
                    : throw EcsException.InvalidParameter("A distinctInstance placement constraint does not take an expression.");
            case PlacementConstraintTypes.MemberOf:
                if (string.IsNullOrWhiteSpace(constraint.Expression))
                {
                    throw EcsException.InvalidParameter("A memberOf placement constraint requires an expression.");
                }

                return constraint.Expression.Length > MaxExpressionLength
                    ? throw EcsException.InvalidParameter(
                        $"A placement constraint expression can be at most {MaxExpressionLength} characters; this one has {constraint.Expression.Length}.")
                    : MemberOfConstraint.Parse(constraint.Expression);
            default:
                throw EcsException.InvalidParameter(
                    $"Invalid placement constraint type '{constraint.Type}'. Valid types are distinctInstance and memberOf.");
        }
    }

    public static ParsedStrategy Parse(PlacementStrategy? strategy)
    {
        strategy ??= new PlacementStrategy();
        var field = strategy.Field;
        switch (strategy.Type)
        {
            case PlacementStrategyTypes.Random:
                return string.IsNullOrEmpty(field)
                    ? ParsedStrategy.Random
                    : throw EcsException.InvalidParameter($"The random placement strategy does not take a field; '{field}' was given.");
            case PlacementStrategyTypes.Binpack:
                return field?.ToLowerInvariant() switch
                {
                    "cpu" => ParsedStrategy.BinpackCpu,
                    "memory" => ParsedStrategy.BinpackMemory,
                    _ => throw EcsException.InvalidParameter(
                        $"Invalid field '{field}' for the binpack placement strategy. Valid fields are cpu and memory."),
                };
            case PlacementStrategyTypes.Spread:
                if (field is not null && (field.Equals("instanceId", StringComparison.OrdinalIgnoreCase) || field.Equals("host", StringComparison.OrdinalIgnoreCase)))
                {
                    return ParsedStrategy.SpreadInstances;
                }

                var name = field is not null && field.StartsWith("attribute:", StringComparison.Ordinal) ? field["attribute:".Length..] : null;
                return name is { Length: > 0 and <= MaxAttributeName }
                    ? ParsedStrategy.SpreadAttribute(name)
                    : throw EcsException.InvalidParameter(
                        $"Invalid field '{field}' for the spread placement strategy. Valid fields are instanceId, host and attribute:<name>.");
            default:
                throw EcsException.InvalidParameter(
                    $"Invalid placement strategy type '{strategy.Type}'. Valid types are random, spread and binpack.");
        }
    }
}
