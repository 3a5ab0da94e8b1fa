namespace Orchestrator.Agent.State;

/// <summary>A task's or container's status as the control plane sees it.</summary>
public enum ReportedStatus
{
    Pending,
    Running,
    Stopped,
}

/// <summary>
/// What the control plane is told about a task, in the agent's own terms; the session puts it on the wire. Equal when
/// every field is (lists compared item by item).
/// </summary>
public sealed record TaskStatusReport
{
    public required string TaskArn { get; init; }
    public ReportedStatus LastStatus { get; init; }
    /// <summary>
    /// The agent is stopping the task (its desired status is STOPPED) and it has not stopped yet; the stop code and
    /// reason are already known.
    /// </summary>
    public bool Stopping { get; init; }
    /// <summary>An ECS TaskStopCode; empty until the task is stopping or stopped.</summary>
    public string StopCode { get; init; } = "";
    public string StoppedReason { get; init; } = "";
    public DateTimeOffset? PullStartedAt { get; init; }
    public DateTimeOffset? PullStoppedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? ExecutionStoppedAt { get; init; }
    /// <summary>ECS's task healthStatus: HEALTHY, UNHEALTHY or UNKNOWN.</summary>
    public string HealthStatus { get; init; } = "";
    /// <summary>awsvpc tasks: the interface the pause container holds, once it is set up.</summary>
    public IReadOnlyList<NetworkInterfaceReport> NetworkInterfaces { get; init; } = [];
    public IReadOnlyList<ContainerStatusReport> Containers { get; init; } = [];

    public bool Equals(TaskStatusReport? other) =>
        other is not null
        && (TaskArn, LastStatus, Stopping, StopCode, StoppedReason, PullStartedAt, PullStoppedAt, StartedAt, ExecutionStoppedAt, HealthStatus)
            == (other.TaskArn, other.LastStatus, other.Stopping, other.StopCode, other.StoppedReason, other.PullStartedAt, other.PullStoppedAt, other.StartedAt,
                other.ExecutionStoppedAt, other.HealthStatus)
        && NetworkInterfaces.SequenceEqual(other.NetworkInterfaces)
        && Containers.SequenceEqual(other.Containers);

    public override int GetHashCode() => HashCode.Combine(TaskArn, LastStatus, StoppedReason, Containers.Count);
}

public sealed record ContainerStatusReport
{
    public required string Name { get; init; }
    /// <summary>The Docker container ID; empty until created.</summary>
    public string RuntimeId { get; init; } = "";
    public ReportedStatus LastStatus { get; init; }
    /// <summary>Set once the container has stopped with a known exit code.</summary>
    public int? ExitCode { get; init; }
    public string Reason { get; init; } = "";
    public string ImageDigest { get; init; } = "";
    /// <summary>HEALTHY, UNHEALTHY or UNKNOWN (no health check, or not decided yet).</summary>
    public string HealthStatus { get; init; } = "";
    /// <summary>The published ports, while the container runs.</summary>
    public IReadOnlyList<BindingRecord> NetworkBindings { get; init; } = [];

    public bool Equals(ContainerStatusReport? other) =>
        other is not null
        && (Name, RuntimeId, LastStatus, ExitCode, Reason, ImageDigest, HealthStatus)
            == (other.Name, other.RuntimeId, other.LastStatus, other.ExitCode, other.Reason, other.ImageDigest, other.HealthStatus)
        && NetworkBindings.SequenceEqual(other.NetworkBindings);

    public override int GetHashCode() => HashCode.Combine(Name, LastStatus, ExitCode);
}

/// <summary>An awsvpc task's network interface as the agent set it up.</summary>
public sealed record NetworkInterfaceReport(string AttachmentId, string Ipv4Address, string MacAddress);

/// <summary>A task's report under the sequence number the control plane acknowledges it by.</summary>
public sealed record SequencedReport(ulong Sequence, TaskStatusReport Task);
