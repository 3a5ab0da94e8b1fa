namespace Orchestrator.Ecs.Model;

/// <summary>An ECS task (the ECS shape is named Task).</summary>
public sealed record EcsTask
{
    public string TaskArn { get; init; } = "";
    public string ClusterArn { get; init; } = "";
    public string TaskDefinitionArn { get; init; } = "";
    public string? ContainerInstanceArn { get; init; }
    public IReadOnlyList<Container> Containers { get; init; } = [];
    public TaskOverride? Overrides { get; init; }
    public string LastStatus { get; init; } = TaskStatus.Provisioning;
    public string DesiredStatus { get; init; } = TaskStatus.Running;
    public string? Cpu { get; init; }
    public string? Memory { get; init; }
    public string? StartedBy { get; init; }
    public string? Group { get; init; }
    public string? LaunchType { get; init; }
    public string? HealthStatus { get; init; }
    public string? StopCode { get; init; }
    public string? StoppedReason { get; init; }
    public long Version { get; init; }
    public bool EnableExecuteCommand { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? PullStartedAt { get; init; }
    public DateTimeOffset? PullStoppedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? StoppingAt { get; init; }
    public DateTimeOffset? ExecutionStoppedAt { get; init; }
    public DateTimeOffset? StoppedAt { get; init; }
    public IReadOnlyList<Tag>? Tags { get; init; }
}

public sealed record Container
{
    public string ContainerArn { get; init; } = "";
    public string TaskArn { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Image { get; init; }
    public string? ImageDigest { get; init; }
    public string? RuntimeId { get; init; }
    public string LastStatus { get; init; } = TaskStatus.Pending;
    /// <summary>Present only once the container has stopped.</summary>
    public int? ExitCode { get; init; }
    public string? Reason { get; init; }
    public IReadOnlyList<NetworkBinding> NetworkBindings { get; init; } = [];
    public string? HealthStatus { get; init; }
    public string? Cpu { get; init; }
    public string? Memory { get; init; }
    public string? MemoryReservation { get; init; }
}

public sealed record NetworkBinding
{
    public string? BindIP { get; init; }
    public int? ContainerPort { get; init; }
    public int? HostPort { get; init; }
    public string? Protocol { get; init; }
}

public sealed record TaskOverride
{
    public IReadOnlyList<ContainerOverride>? ContainerOverrides { get; init; }
}

public sealed record ContainerOverride
{
    public string? Name { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyList<NameValuePair>? Environment { get; init; }
}

public static class TaskStatus
{
    public const string Provisioning = "PROVISIONING";
    public const string Pending = "PENDING";
    public const string Running = "RUNNING";
    public const string Stopping = "STOPPING";
    public const string Stopped = "STOPPED";

    /// <summary>The order of lastStatus values; a task's status never moves to a lower rank.</summary>
    public static int Rank(string status) => status switch
    {
        Provisioning => 0,
        Pending => 1,
        Running => 2,
        Stopping => 3,
        Stopped => 4,
        _ => -1,
    };
}

public static class TaskStopCode
{
    public const string TaskFailedToStart = "TaskFailedToStart";
    public const string EssentialContainerExited = "EssentialContainerExited";
    public const string UserInitiated = "UserInitiated";
    public const string ServiceSchedulerInitiated = "ServiceSchedulerInitiated";
}
