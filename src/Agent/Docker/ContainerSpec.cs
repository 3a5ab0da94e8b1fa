namespace Orchestrator.Agent.Docker;

/// <summary>A container to create, already mapped from the ECS container definition: Docker's terms, the agent's shape.</summary>
public sealed record ContainerSpec
{
    public required string Name { get; init; }
    public required string Image { get; init; }
    public IReadOnlyList<string>? EntryPoint { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary><c>NAME=value</c> entries.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public long CpuShares { get; init; }
    /// <summary>Hard memory limit in bytes; 0 when none.</summary>
    public long MemoryBytes { get; init; }
    /// <summary>Soft memory limit in bytes; 0 when none.</summary>
    public long MemoryReservationBytes { get; init; }
    /// <summary>
    /// Docker's network mode (<c>bridge</c>, <c>host</c>, <c>none</c>, <c>nat</c>, <c>container:&lt;id&gt;</c>, or a
    /// user-defined network's name).
    /// </summary>
    public required string NetworkMode { get; init; }
    /// <summary>The container's address on the user-defined network <see cref="NetworkMode"/>; null: Docker picks.</summary>
    public string? Ipv4Address { get; init; }
    /// <summary>Whether <see cref="Ports"/> are published on the host (bridge, nat) or only exposed (host mode).</summary>
    public bool PublishPorts { get; init; }
    public IReadOnlyList<PortSpec> Ports { get; init; } = [];
    /// <summary>Host paths and Docker volumes: <c>source:containerPath[:ro]</c>.</summary>
    public IReadOnlyList<string> Binds { get; init; } = [];
    /// <summary>The Docker volumes <see cref="Binds"/> names, which must exist before the container is created.</summary>
    public IReadOnlyList<VolumeSpec> Volumes { get; init; } = [];
    /// <summary><c>container[:ro]</c>, by Docker name.</summary>
    public IReadOnlyList<string> VolumesFrom { get; init; } = [];
    /// <summary><c>container:alias</c>, by Docker name.</summary>
    public IReadOnlyList<string> Links { get; init; } = [];
    /// <summary><c>hostname:ip</c>.</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];
    public IReadOnlyList<string> DnsServers { get; init; } = [];
    public IReadOnlyList<UlimitSpec> Ulimits { get; init; } = [];
    public bool Privileged { get; init; }
    public bool ReadonlyRootfs { get; init; }
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    /// <summary>Run an init process (tini) as PID 1; null: Docker's default.</summary>
    public bool? Init { get; init; }
    /// <summary>The size of /dev/shm in bytes; 0: Docker's default.</summary>
    public long ShmSizeBytes { get; init; }
    /// <summary>Container path → mount options (<c>noexec,size=64m</c>).</summary>
    public IReadOnlyDictionary<string, string> Tmpfs { get; init; } = new Dictionary<string, string>();
    public LogSpec? Log { get; init; }
    public HealthCheckSpec? HealthCheck { get; init; }
    public string? User { get; init; }
    public string? WorkingDirectory { get; init; }
    public string? Hostname { get; init; }
    /// <summary>The GPUs to give the container (NVIDIA device IDs); empty: none.</summary>
    public IReadOnlyList<string> GpuIds { get; init; } = [];
}

/// <summary>A port the container listens on; <see cref="HostPort"/> null lets Docker pick a free host port.</summary>
public sealed record PortSpec(int ContainerPort, int? HostPort, string Protocol);

public sealed record UlimitSpec(string Name, long Soft, long Hard);

public sealed record LogSpec(string Driver, IReadOnlyDictionary<string, string> Options)
{
    /// <summary>Option names only: some values come from secrets (<c>logConfiguration.secretOptions</c>).</summary>
    public override string ToString() => $"LogSpec {{ Driver = {Driver}, Options = [{string.Join(", ", Options.Keys)}] }}";
}

/// <summary>Docker's health check: <see cref="Test"/> starts with <c>CMD</c> or <c>CMD-SHELL</c>.</summary>
public sealed record HealthCheckSpec(IReadOnlyList<string> Test, TimeSpan Interval, TimeSpan Timeout, int Retries, TimeSpan StartPeriod);

/// <summary>A Docker volume a container mounts.</summary>
public sealed record VolumeSpec
{
    public required string Name { get; init; }
    public string Driver { get; init; } = "local";
    public IReadOnlyDictionary<string, string> DriverOptions { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Create it when it does not exist (task-scoped volumes, shared ones with autoprovision); else it must exist.</summary>
    public bool CreateIfMissing { get; init; } = true;
    /// <summary>Belongs to one task and is removed with it; shared volumes are kept.</summary>
    public bool TaskScoped { get; init; } = true;
}
