namespace Orchestrator.Agent.State;

/// <summary>
/// The steps a container (and so a task) goes through on this host, in order, as in amazon-ecs-agent. Statuses only
/// move forward. The control plane sees them as PENDING, RUNNING or STOPPED (<see cref="ReportedStatus"/>).
/// </summary>
public enum LifecycleStatus
{
    None = 0,
    Pulled = 1,
    Created = 2,
    Running = 3,
    Stopped = 4,
}

public static class LifecycleStatusExtensions
{
    public static ReportedStatus ToReported(this LifecycleStatus status) => status switch
    {
        LifecycleStatus.Running => ReportedStatus.Running,
        LifecycleStatus.Stopped => ReportedStatus.Stopped,
        _ => ReportedStatus.Pending,
    };
}
