using System.Text.Json.Serialization;

namespace Orchestrator.Ecs.Model;

/// <summary>An ECS task definition as DescribeTaskDefinition returns it.</summary>
public sealed record TaskDefinition
{
    public string? TaskDefinitionArn { get; init; }
    public IReadOnlyList<ContainerDefinition> ContainerDefinitions { get; init; } = [];
    public string Family { get; init; } = "";
    public string? NetworkMode { get; init; }
    public int Revision { get; init; }
    public string? Status { get; init; }
    public IReadOnlyList<string>? RequiresCompatibilities { get; init; }
    public IReadOnlyList<string>? Compatibilities { get; init; }
    public string? Cpu { get; init; }
    public string? Memory { get; init; }
    public IReadOnlyList<PlacementConstraint>? PlacementConstraints { get; init; }
    public DateTimeOffset? RegisteredAt { get; init; }
    public DateTimeOffset? DeregisteredAt { get; init; }
    public string? RegisteredBy { get; init; }

    [JsonIgnore]
    public string EffectiveNetworkMode => NetworkMode ?? NetworkModes.Bridge;
}

/// <summary>One container of a task definition, with the members this project implements.</summary>
public sealed record ContainerDefinition
{
    public string? Name { get; init; }
    public string? Image { get; init; }
    /// <summary>CPU units (1024 = one core); ECS always emits it, 0 when unset.</summary>
    public int Cpu { get; init; }
    /// <summary>Hard limit in MiB.</summary>
    public int? Memory { get; init; }
    /// <summary>Soft limit in MiB.</summary>
    public int? MemoryReservation { get; init; }
    public IReadOnlyList<PortMapping>? PortMappings { get; init; }
    public bool? Essential { get; init; }
    public IReadOnlyList<string>? EntryPoint { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyList<NameValuePair>? Environment { get; init; }
    /// <summary>Seconds between SIGTERM and SIGKILL when the container is stopped.</summary>
    public int? StopTimeout { get; init; }

    [JsonIgnore]
    public bool IsEssential => Essential ?? true;
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
