using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// The steps a container (and so a task) goes through on this host, in order, as in amazon-ecs-agent. Statuses only
/// move forward. The control plane sees them as PENDING, RUNNING or STOPPED.
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
    public static Status ToReported(this LifecycleStatus status) => status switch
    {
        LifecycleStatus.Running => Status.Running,
        LifecycleStatus.Stopped => Status.Stopped,
        _ => Status.Pending,
    };
}
