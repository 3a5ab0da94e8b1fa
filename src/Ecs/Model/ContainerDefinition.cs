using System.Text.Json.Serialization;

namespace Orchestrator.Ecs.Model;

/// <summary>
/// One container of a task definition, with the members this project implements, named and typed as in ECS's API
/// model. Members ECS has and this project does not (firelensConfiguration, …) are
/// refused when a request names them.
/// </summary>
public sealed record ContainerDefinition
{
    public string? Name { get; init; }
    public string? Image { get; init; }
    /// <summary>Where the credentials of a private registry come from (a secret holding <c>{"username","password"}</c>).</summary>
    public RepositoryCredentials? RepositoryCredentials { get; init; }
    /// <summary>CPU units (1024 = one core); ECS always emits it, 0 when unset.</summary>
    public int Cpu { get; init; }
    /// <summary>Hard limit in MiB.</summary>
    public int? Memory { get; init; }
    /// <summary>Soft limit in MiB.</summary>
    public int? MemoryReservation { get; init; }
    /// <summary><c>name</c> or <c>name:alias</c> of containers of the same task; bridge mode only.</summary>
    public IReadOnlyList<string>? Links { get; init; }
    public IReadOnlyList<PortMapping>? PortMappings { get; init; }
    public bool? Essential { get; init; }
    public IReadOnlyList<string>? EntryPoint { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyList<NameValuePair>? Environment { get; init; }
    /// <summary>Environment variables from the secret store: the definition holds only where from (valueFrom).</summary>
    public IReadOnlyList<Secret>? Secrets { get; init; }
    public IReadOnlyList<MountPoint>? MountPoints { get; init; }
    public IReadOnlyList<VolumeFrom>? VolumesFrom { get; init; }
    public LinuxParameters? LinuxParameters { get; init; }
    public IReadOnlyList<ContainerDependency>? DependsOn { get; init; }
    /// <summary>
    /// Seconds the containers that depend on this one with COMPLETE, SUCCESS or HEALTHY wait, from its start, for the
    /// condition before giving up.
    /// </summary>
    public int? StartTimeout { get; init; }
    /// <summary>Seconds between SIGTERM and SIGKILL when the container is stopped.</summary>
    public int? StopTimeout { get; init; }
    public string? Hostname { get; init; }
    public string? User { get; init; }
    public string? WorkingDirectory { get; init; }
    public bool? Privileged { get; init; }
    public bool? ReadonlyRootFilesystem { get; init; }
    public IReadOnlyList<string>? DnsServers { get; init; }
    public IReadOnlyList<HostEntry>? ExtraHosts { get; init; }
    public IReadOnlyDictionary<string, string>? DockerLabels { get; init; }
    public IReadOnlyList<Ulimit>? Ulimits { get; init; }
    public LogConfiguration? LogConfiguration { get; init; }
    public HealthCheck? HealthCheck { get; init; }
    public IReadOnlyList<ResourceRequirement>? ResourceRequirements { get; init; }

    [JsonIgnore]
    public bool IsEssential => Essential ?? true;

    /// <summary>How many GPUs the container asks for (resourceRequirements of type GPU); 0 when none or unreadable.</summary>
    [JsonIgnore]
    public int GpuCount =>
        ResourceRequirements?.FirstOrDefault(r => r.Type == ResourceTypes.Gpu) is { Value: { } value }
        && int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            ? count
            : 0;
}

/// <summary>An <c>/etc/hosts</c> entry added to the container.</summary>
public sealed record HostEntry
{
    public string? Hostname { get; init; }
    public string? IpAddress { get; init; }
}

public sealed record Ulimit
{
    public string? Name { get; init; }
    public int? SoftLimit { get; init; }
    public int? HardLimit { get; init; }
}

/// <summary>
/// The Docker log driver and its options. <see cref="SecretOptions"/> are options whose values come from the secret
/// store (a Splunk token, …): the definition holds only the references; the values travel to the task's agent alone,
/// at launch, and the agent adds them to the driver's options.
/// </summary>
public sealed record LogConfiguration
{
    public string? LogDriver { get; init; }
    public IReadOnlyDictionary<string, string>? Options { get; init; }
    public IReadOnlyList<Secret>? SecretOptions { get; init; }
}

/// <summary>
/// ECS's RepositoryCredentials: the secret (a Secrets Manager ARN, an SSM parameter ARN or the plain name) whose value is
/// the JSON <c>{"username":"…","password":"…"}</c> the agent logs in to the image's registry with. The definition holds
/// only the reference; the value travels to the task's agent alone, at launch.
/// </summary>
public sealed record RepositoryCredentials
{
    public string? CredentialsParameter { get; init; }
}

/// <summary>A resource the container needs besides CPU and memory; this project implements GPUs (value = a count).</summary>
public sealed record ResourceRequirement
{
    public string? Value { get; init; }
    public string? Type { get; init; }
}

public static class ResourceTypes
{
    public const string Gpu = "GPU";
    public const string InferenceAccelerator = "InferenceAccelerator";
}

/// <summary>ECS's enum UlimitName.</summary>
public static class UlimitNames
{
    public static readonly IReadOnlyList<string> All =
        ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"];
}

/// <summary>ECS's enum LogDriver.</summary>
public static class LogDrivers
{
    public const string AwsFirelens = "awsfirelens";

    public static readonly IReadOnlyList<string> All =
        ["json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", AwsFirelens];
}
