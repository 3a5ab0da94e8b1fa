namespace Orchestrator.Ecs.Model;

/// <summary>
/// A task volume: a host path (<see cref="Host"/>), a Docker volume (<see cref="DockerVolumeConfiguration"/>), an NFS
/// export (<see cref="EfsVolumeConfiguration"/>, <c>fileSystemId</c> = <c>server:/export</c>), or with none of them a
/// scratch Docker volume that lives as long as the task.
/// </summary>
public sealed record Volume
{
    public string? Name { get; init; }
    public HostVolumeProperties? Host { get; init; }
    public DockerVolumeConfiguration? DockerVolumeConfiguration { get; init; }
    public EfsVolumeConfiguration? EfsVolumeConfiguration { get; init; }
}

/// <summary>
/// ECS's EFS volume in its own shape, with an NFS server in place of the file system: <see cref="FileSystemId"/> is
/// <c>SERVER:/EXPORT</c> and <see cref="RootDirectory"/> a directory under that export. Transit encryption, access points
/// and IAM authorization are EFS features this control plane lacks; only their "off" values are accepted.
/// </summary>
public sealed record EfsVolumeConfiguration
{
    public string? FileSystemId { get; init; }
    public string? RootDirectory { get; init; }
    public string? TransitEncryption { get; init; }
    public int? TransitEncryptionPort { get; init; }
    public EfsAuthorizationConfig? AuthorizationConfig { get; init; }
}

public sealed record EfsAuthorizationConfig
{
    public string? AccessPointId { get; init; }
    public string? Iam { get; init; }
}

public sealed record HostVolumeProperties
{
    /// <summary>The host path to bind; absent: a Docker-managed scratch volume.</summary>
    public string? SourcePath { get; init; }
}

public sealed record DockerVolumeConfiguration
{
    /// <summary><c>task</c> (default): created for the task and removed with it; <c>shared</c>: outlives the task.</summary>
    public string? Scope { get; init; }
    /// <summary>Shared scope only: create the volume when it does not exist yet.</summary>
    public bool? Autoprovision { get; init; }
    public string? Driver { get; init; }
    public IReadOnlyDictionary<string, string>? DriverOpts { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

/// <summary>Where a task volume appears in a container.</summary>
public sealed record MountPoint
{
    public string? SourceVolume { get; init; }
    public string? ContainerPath { get; init; }
    public bool? ReadOnly { get; init; }
}

/// <summary>Mount every volume of another container of the task.</summary>
public sealed record VolumeFrom
{
    public string? SourceContainer { get; init; }
    public bool? ReadOnly { get; init; }
}

/// <summary>ECS's enum Scope.</summary>
public static class VolumeScopes
{
    public const string Task = "task";
    public const string Shared = "shared";
}
