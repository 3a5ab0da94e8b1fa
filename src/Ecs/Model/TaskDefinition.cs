using System.Text.Json.Serialization;

namespace Orchestrator.Ecs.Model;

/// <summary>An ECS task definition as DescribeTaskDefinition returns it.</summary>
public sealed record TaskDefinition
{
    public string? TaskDefinitionArn { get; init; }
    public IReadOnlyList<ContainerDefinition> ContainerDefinitions { get; init; } = [];
    public string Family { get; init; } = "";
    /// <summary>The role whose short-lived keys the task's containers get at AWS_CONTAINER_CREDENTIALS_RELATIVE_URI.</summary>
    public string? TaskRoleArn { get; init; }
    public string? NetworkMode { get; init; }
    public int Revision { get; init; }
    public string? Status { get; init; }
    public IReadOnlyList<Volume>? Volumes { get; init; }
    public IReadOnlyList<string>? RequiresCompatibilities { get; init; }
    public IReadOnlyList<string>? Compatibilities { get; init; }
    public string? Cpu { get; init; }
    public string? Memory { get; init; }
    public IReadOnlyList<PlacementConstraint>? PlacementConstraints { get; init; }
    public DateTimeOffset? RegisteredAt { get; init; }
    public DateTimeOffset? DeregisteredAt { get; init; }
    public string? RegisteredBy { get; init; }
    /// <summary>Always false: fault injection is an AWS feature (RegisterTaskDefinition accepts only false).</summary>
    public bool EnableFaultInjection { get; init; }

    /// <summary>When DeleteTaskDefinitions asked for it to go (status <c>DELETE_IN_PROGRESS</c>).</summary>
    public DateTimeOffset? DeleteRequestedAt { get; init; }

    [JsonIgnore]
    public string EffectiveNetworkMode => NetworkMode ?? NetworkModes.Bridge;
}

public sealed record PortMapping
{
    public int? ContainerPort { get; init; }
    /// <summary>0 or absent in bridge mode: a dynamic host port.</summary>
    public int? HostPort { get; init; }
    /// <summary><c>tcp</c> (default) or <c>udp</c>.</summary>
    public string? Protocol { get; init; }

    [JsonIgnore]
    public string EffectiveProtocol => Protocol ?? "tcp";
}

/// <summary>ECS's KeyValuePair: environment variables, settings, statistics.</summary>
public sealed record NameValuePair(string? Name, string? Value);

public static class NetworkModes
{
    public const string Bridge = "bridge";
    public const string Host = "host";
    public const string Awsvpc = "awsvpc";
    public const string None = "none";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Bridge, Host, Awsvpc, None };
}

/// <summary>ECS's Secret: an environment variable whose value comes from the control plane's secret store.</summary>
public sealed record Secret(string? Name, string? ValueFrom);
