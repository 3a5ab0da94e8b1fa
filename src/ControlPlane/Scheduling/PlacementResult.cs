namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// The plan: for each placed task, in order, its container instance and what it gets there besides CPU and memory
/// (GPU IDs, an awsvpc address), and for each task that could not be placed, why. Once one task cannot be placed none after it can (they are identical), so all unplaced tasks share
/// one explanation, and <see cref="InstanceFailures"/> says why each instance refused: the entries for ECS's
/// <c>failures</c> (<c>arn</c> = the container instance).
/// </summary>
public sealed record PlacementResult(
    IReadOnlyList<TaskPlacement> Placements,
    IReadOnlyList<UnplacedTask> Unplaced,
    IReadOnlyList<PlacementFailure> InstanceFailures)
{
    public bool IsComplete => Unplaced.Count == 0;

    /// <summary>The container instance of each placed task, in order.</summary>
    public IReadOnlyList<string> InstanceArns => [.. Placements.Select(p => p.InstanceArn)];
}

/// <summary>
/// One placed task: its container instance, the IDs of the GPUs it takes there (as many as the task needs, in the
/// instance's order) and, for an awsvpc task, the address it takes (the lowest free one of the first subnet serving
/// the instance that has one left; null when the snapshot counts addresses without knowing them).
/// </summary>
public sealed record TaskPlacement(string InstanceArn, IReadOnlyList<string> GpuIds, PlannedAddress? Address);

/// <summary>An address placement chose for an awsvpc task: the subnet and the address in it.</summary>
public sealed record PlannedAddress(string SubnetId, uint Address);

/// <summary>
/// A task that could not be placed: the ECS reason of the closest instance (the one that got furthest through the
/// filters), a summary a person can act on, and how many instances each filter turned away.
/// </summary>
public sealed record UnplacedTask(int Index, string Reason, string Explanation, IReadOnlyList<FilterCount> Counts);

/// <summary>How many instances one filter turned away, e.g. ("memberOf(attribute:zone == b)", ATTRIBUTE, 2).</summary>
public sealed record FilterCount(string Summary, string Reason, int Instances);

/// <summary>Why a container instance could not take a task: an ECS reason code and a sentence for people.</summary>
public sealed record PlacementFailure(string InstanceArn, string Reason, string Detail);
