using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tasks;

/// <summary>
/// Tasks to launch: <see cref="PlacementRequest.Count"/> tasks of <paramref name="Definition"/> in
/// <paramref name="Cluster"/>, placed by <paramref name="Placement"/>'s rules, started with
/// <paramref name="Settings"/>; or, with <see cref="OnInstances"/> (StartTask, a DAEMON service), one on each of
/// those instances.
/// </summary>
public sealed record LaunchRequest(ClusterRecord Cluster, TaskDefinition Definition, PlacementRequest Placement, TaskSettings Settings)
{
    /// <summary>The instances (ARN or ID) to put one task on each, in order; null to let placement choose.</summary>
    public IReadOnlyList<string>? OnInstances { get; init; }

    /// <summary>Tags every task gets.</summary>
    public IReadOnlyList<Tag> Tags { get; init; } = [];
}

/// <summary>A launch planned over the snapshot <paramref name="Basis"/>: where each task goes and with what.</summary>
public sealed record LaunchPlan(LaunchRequest Request, StateSnapshot Basis, PlacementResult Placement);

/// <summary>
/// What a committed launch created, and for the tasks it could not place, why (<see cref="Placement"/>'s
/// <c>Unplaced</c> and <c>InstanceFailures</c>). <see cref="Replanned"/> counts the tasks whose planned instance no
/// longer fitted at the commit and that were placed again.
/// </summary>
public sealed record LaunchOutcome(IReadOnlyList<TaskRecord> Created, PlacementResult Placement, int Replanned);
