using Orchestrator.ControlPlane.State;

namespace Orchestrator.ControlPlane.Services;

/// <summary>Everything the service planner looks at, as plain values: the planner itself has no I/O and no clock.</summary>
public sealed record ServiceInputs(
    ServiceRecord Service,
    IReadOnlyList<ServiceTask> Tasks,
    IReadOnlyList<ServiceInstance> Instances,
    DateTimeOffset Now,
    string NextDeploymentId);

/// <summary>A task of the service, as the planner needs it.</summary>
public sealed record ServiceTask(
    string Arn,
    string DeploymentId,
    string? InstanceArn,
    string LastStatus,
    string DesiredStatus,
    TaskHealth Health,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    string? StopCode,
    string? StoppedReason,
    bool StopAccounted,
    bool SeenHealthy,
    bool Protected = false)
{
    public bool IsLive => LastStatus != Ecs.Model.TaskStatus.Stopped;

    /// <summary>Live and meant to keep running (not already being stopped).</summary>
    public bool IsActive => IsLive && DesiredStatus == Ecs.Model.TaskStatus.Running;
}

/// <summary>
/// A container instance of the cluster. <see cref="Eligible"/>: ACTIVE, agent connected and meeting the service's
/// placement constraints — where a DAEMON service wants its task.
/// </summary>
public sealed record ServiceInstance(string Arn, string Status, bool AgentConnected, bool Eligible);

/// <summary>How a service task is doing, for deciding what counts as healthy.</summary>
public enum TaskHealth
{
    /// <summary>Not running yet (PROVISIONING or PENDING).</summary>
    Starting,

    /// <summary>Running; its health check has not decided yet.</summary>
    Unknown,

    /// <summary>Running, and healthy (or without a health check on its essential containers).</summary>
    Healthy,

    /// <summary>Running, and an essential container's health check fails.</summary>
    Unhealthy,

    /// <summary>No longer running.</summary>
    Stopped,
}
