namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// The plan: the container instance ARN for each placed task, in order, and for each task that could not be placed,
/// why. Once one task cannot be placed none after it can (they are identical), so all unplaced tasks share
/// one explanation, and <see cref="InstanceFailures"/> says why each instance refused: the entries for ECS's
/// <c>failures</c> (<c>arn</c> = the container instance).
/// </summary>
public sealed record PlacementResult(
    IReadOnlyList<string> InstanceArns,
    IReadOnlyList<UnplacedTask> Unplaced,
    IReadOnlyList<PlacementFailure> InstanceFailures)
{
    public bool IsComplete => Unplaced.Count == 0;
}

/// <summary>
/// A task that could not be placed: the ECS reason of the closest instance (the one that got furthest through the
/// filters), a summary a person can act on, and how many instances each filter turned away.
/// </summary>
public sealed record UnplacedTask(int Index, string Reason, string Explanation, IReadOnlyList<FilterCount> Counts);

/// <summary>How many instances one filter turned away, e.g. ("memberOf(attribute:zone == b)", ATTRIBUTE, 2).</summary>
public sealed record FilterCount(string Summary, string Reason, int Instances);

/// <summary>Why a container instance could not take a task: an ECS reason code and a sentence for people.</summary>
public sealed record PlacementFailure(string InstanceArn, string Reason, string Detail);
