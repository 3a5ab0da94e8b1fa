namespace Orchestrator.Ecs.Model;

/// <summary>An ECS task (the ECS shape is named Task).</summary>
public sealed record EcsTask
{
    public string TaskArn { get; init; } = "";
    public string ClusterArn { get; init; } = "";
    public string TaskDefinitionArn { get; init; } = "";
    public string? ContainerInstanceArn { get; init; }
    /// <summary>The task's network interface, for awsvpc tasks (type ElasticNetworkInterface); absent otherwise.</summary>
    public IReadOnlyList<Attachment>? Attachments { get; init; }
    public IReadOnlyList<Container> Containers { get; init; } = [];
    public TaskOverride? Overrides { get; init; }
    public string LastStatus { get; init; } = TaskStatus.Provisioning;
    public string DesiredStatus { get; init; } = TaskStatus.Running;
    public string? Cpu { get; init; }
    public string? Memory { get; init; }
    public string? StartedBy { get; init; }
    public string? Group { get; init; }
    public string? LaunchType { get; init; }
    /// <summary>The capacity provider the task was placed through; absent for tasks started with a launch type.</summary>
    public string? CapacityProviderName { get; init; }
    public string? HealthStatus { get; init; }
    public string? StopCode { get; init; }
    public string? StoppedReason { get; init; }
    public long Version { get; init; }
    public bool EnableExecuteCommand { get; init; }
    /// <summary>CONNECTED once the task is placed on an instance (ECS's connectivity of the task's host).</summary>
    public string? Connectivity { get; init; }
    public DateTimeOffset? ConnectivityAt { get; init; }
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
    /// <summary>awsvpc tasks: the task's interface, once the agent has attached it.</summary>
    public IReadOnlyList<NetworkInterface>? NetworkInterfaces { get; init; }
    public string? HealthStatus { get; init; }
    public string? Cpu { get; init; }
    public string? Memory { get; init; }
    public string? MemoryReservation { get; init; }
    /// <summary>The GPUs placement gave the container.</summary>
    public IReadOnlyList<string>? GpuIds { get; init; }
}

/// <summary>A container's view of its task's network interface.</summary>
public sealed record NetworkInterface
{
    public string? AttachmentId { get; init; }
    public string? PrivateIpv4Address { get; init; }
}

/// <summary>
/// Something attached to a task; this project attaches awsvpc tasks' network interfaces (type
/// <c>ElasticNetworkInterface</c>), described by <c>details</c> named as ECS names them.
/// </summary>
public sealed record Attachment
{
    public const string NetworkInterfaceType = "ElasticNetworkInterface";

    public string? Id { get; init; }
    public string? Type { get; init; }
    /// <summary><c>PRECREATED</c> (address chosen), <c>ATTACHED</c> (the agent runs it), <c>DELETED</c> (the task stopped).</summary>
    public string? Status { get; init; }
    public IReadOnlyList<NameValuePair> Details { get; init; } = [];

    public string? Detail(string name) => Details.FirstOrDefault(d => d.Name == name)?.Value;
}

public static class AttachmentStatus
{
    public const string Precreated = "PRECREATED";
    public const string Attached = "ATTACHED";
    public const string Deleted = "DELETED";
}

/// <summary>The names of an ElasticNetworkInterface attachment's details.</summary>
public static class AttachmentDetails
{
    public const string SubnetId = "subnetId";
    public const string NetworkInterfaceId = "networkInterfaceId";
    public const string MacAddress = "macAddress";
    public const string PrivateIpv4Address = "privateIPv4Address";
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
    /// <summary>The task's role instead of the task definition's.</summary>
    public string? TaskRoleArn { get; init; }
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
