namespace Orchestrator.Ecs.Model;

public sealed record ContainerInstance
{
    public string ContainerInstanceArn { get; init; } = "";
    public string? Ec2InstanceId { get; init; }
    public long Version { get; init; }
    public VersionInfo? VersionInfo { get; init; }
    public IReadOnlyList<Resource> RemainingResources { get; init; } = [];
    public IReadOnlyList<Resource> RegisteredResources { get; init; } = [];
    public string Status { get; init; } = ContainerInstanceStatus.Active;
    public string? StatusReason { get; init; }
    public bool AgentConnected { get; init; }
    public int RunningTasksCount { get; init; }
    public int PendingTasksCount { get; init; }
    public IReadOnlyList<Attribute> Attributes { get; init; } = [];
    public DateTimeOffset? RegisteredAt { get; init; }
    public IReadOnlyList<Tag>? Tags { get; init; }
    public ContainerInstanceHealthStatus? HealthStatus { get; init; }
}

/// <summary>ECS's instance health: the container runtime's, as the agent reports it.</summary>
public sealed record ContainerInstanceHealthStatus(string OverallStatus, IReadOnlyList<InstanceHealthCheckResult> Details);

public sealed record InstanceHealthCheckResult(string Type, string Status, DateTimeOffset? LastUpdated, DateTimeOffset? LastStatusChange);

public sealed record VersionInfo(string? AgentVersion, string? AgentHash, string? DockerVersion);

public static class ContainerInstanceStatus
{
    public const string Active = "ACTIVE";
    public const string Draining = "DRAINING";
    public const string Inactive = "INACTIVE";
}

/// <summary>
/// ECS's Resource. The three numeric values are non-boxed in ECS's model, so they are always present (0 when unused).
/// </summary>
public sealed record Resource
{
    public string Name { get; init; } = "";
    public string Type { get; init; } = "";
    public double DoubleValue { get; init; }
    public long LongValue { get; init; }
    public int IntegerValue { get; init; }
    public IReadOnlyList<string>? StringSetValue { get; init; }

    public static Resource Integer(string name, int value) => new() { Name = name, Type = "INTEGER", IntegerValue = value };

    public static Resource StringSet(string name, IEnumerable<int> ports) =>
        new() { Name = name, Type = "STRINGSET", StringSetValue = ports.Order().Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList() };

    public static Resource StringSet(string name, IEnumerable<string> values) => new() { Name = name, Type = "STRINGSET", StringSetValue = [.. values] };
}

public static class ResourceNames
{
    public const string Cpu = "CPU";
    public const string Memory = "MEMORY";
    public const string Ports = "PORTS";
    public const string PortsUdp = "PORTS_UDP";
    /// <summary>The GPU IDs (registered) and the free ones (remaining), as ECS shows GPU instances.</summary>
    public const string Gpu = "GPU";

    // Not ECS's: what this project adds to the instance's resources (ECS's Resource takes any name).

    /// <summary>The dynamic host port range's size (registered) and its ports still free for TCP mappings (remaining).</summary>
    public const string DynamicPorts = "PORTS_DYNAMIC";
    /// <summary>The same for UDP mappings.</summary>
    public const string DynamicPortsUdp = "PORTS_DYNAMIC_UDP";
    /// <summary>How many awsvpc tasks the host runs at once (registered) and how many more it can take (remaining).</summary>
    public const string AwsvpcTasks = "AWSVPC_TASKS";
}

public sealed record Attribute
{
    public string Name { get; init; } = "";
    public string? Value { get; init; }
    public string? TargetType { get; init; }
    public string? TargetId { get; init; }
}
