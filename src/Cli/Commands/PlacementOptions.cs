using System.CommandLine;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Commands;

/// <summary><c>--placement-constraint</c> and <c>--placement-strategy</c> in the AWS CLI's shorthand, repeatable.</summary>
internal sealed class PlacementOptions
{
    public Option<PlacementConstraint[]> Constraints { get; } = Shorthand.Option(
        "--placement-constraint",
        "type=distinctInstance | type=memberOf,expression=\"<cluster query>\" (repeatable)",
        ["type", "expression"],
        v => new PlacementConstraint(v.GetValueOrDefault("type"), v.GetValueOrDefault("expression")));

    public Option<PlacementStrategy[]> Strategies { get; } = Shorthand.Option(
        "--placement-strategy",
        "type=random | type=spread,field=instanceId|attribute:<name> | type=binpack,field=cpu|memory (repeatable, in order)",
        ["type", "field"],
        v => new PlacementStrategy(v.GetValueOrDefault("type"), v.GetValueOrDefault("field")));

    public void AddTo(Command command)
    {
        command.Options.Add(Constraints);
        command.Options.Add(Strategies);
    }

    public IReadOnlyList<PlacementConstraint>? ReadConstraints(Invocation invocation) =>
        invocation.GetOptional(Constraints) is { Length: > 0 } constraints ? constraints : null;

    public IReadOnlyList<PlacementStrategy>? ReadStrategies(Invocation invocation) =>
        invocation.GetOptional(Strategies) is { Length: > 0 } strategies ? strategies : null;
}
