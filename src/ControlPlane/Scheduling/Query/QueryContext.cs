namespace Orchestrator.ControlPlane.Scheduling.Query;

/// <summary>
/// What an expression is evaluated against: an instance as of the snapshot, plus the tasks of the current request
/// already placed on it (they count for runningTasksCount and, with the request's group, for task:group).
/// </summary>
internal readonly record struct QueryContext(InstanceSnapshot Instance, int PlacedHere = 0, string? Group = null)
{
    public int RunningTasksCount => Instance.RunningTasksCount + PlacedHere;
}
