using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// What to place: <paramref name="Count"/> identical tasks needing <paramref name="Needs"/>, of task group
/// <paramref name="Group"/> (spread, distinctInstance and task:group count tasks of this group; null counts only the
/// request's own tasks), under <paramref name="Rules"/>. <paramref name="Seed"/> drives the random strategy, so
/// the same request on the same snapshot always gives the same plan.
/// </summary>
public sealed record PlacementRequest(TaskRequirements Needs, int Count, string? Group, PlacementRules Rules, ulong Seed = 0)
{
    /// <summary>For awsvpc tasks: the subnets their addresses may come from (networkConfiguration); null: any serving the instance.</summary>
    public IReadOnlyList<string>? Subnets { get; init; }
}
