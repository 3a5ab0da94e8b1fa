namespace Orchestrator.Ecs.Model;

/// <summary>
/// A task volume: a host path (<see cref="Host"/>), a Docker volume (<see cref="DockerVolumeConfiguration"/>), or
/// with neither a scratch Docker volume that lives as long as the task.
/// </summary>
public sealed record Volume
{
    public string? Name { get; init; }
    public HostVolumeProperties? Host { get; init; }
    public DockerVolumeConfiguration? DockerVolumeConfiguration { get; init; }
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
