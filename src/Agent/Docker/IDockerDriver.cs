namespace Orchestrator.Agent.Docker;

/// <summary>
/// The few Docker operations the agent needs. The task engine only talks to Docker through this, so it can be tested
/// with a fake; <see cref="DockerDriver"/> is the real one. Failures are <see cref="DockerOperationException"/>s whose
/// message is Docker's own.
/// </summary>
public interface IDockerDriver
{
    Task<DockerHostInfo> GetHostInfoAsync(CancellationToken cancellationToken);

    /// <summary>Whether the engine answers (Docker's /_ping); throws when it cannot be reached.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>The image's digest (or ID) when it is present locally, null when it is not.</summary>
    Task<string?> InspectImageAsync(string image, CancellationToken cancellationToken);

    /// <summary>Pulls the image, logged in to its registry with <paramref name="auth"/> when given (anonymous otherwise).</summary>
    Task PullImageAsync(string image, RegistryAuth? auth, CancellationToken cancellationToken);

    /// <summary>
    /// Pulls the image as <see cref="PullImageAsync(string, RegistryAuth?, CancellationToken)"/> does, telling
    /// <paramref name="progress"/> how far the download is each time Docker reports it (drivers that cannot: never).
    /// </summary>
    Task PullImageAsync(string image, RegistryAuth? auth, Action<PullStatus>? progress, CancellationToken cancellationToken) =>
        PullImageAsync(image, auth, cancellationToken);

    /// <summary>Creates the container and returns its ID.</summary>
    Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken);

    Task StartContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Sends SIGTERM, waits up to <paramref name="timeout"/>, then SIGKILL; returns once it has stopped.</summary>
    Task StopContainerAsync(string containerId, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The container's state by ID or name, null when Docker does not have it.</summary>
    Task<ContainerInspection?> InspectContainerAsync(string containerIdOrName, CancellationToken cancellationToken);

    /// <summary>Every container (running or not) carrying the label <paramref name="label"/> with <paramref name="value"/>.</summary>
    Task<IReadOnlyList<LabelledContainer>> ListContainersAsync(string label, string value, CancellationToken cancellationToken);

    /// <summary>Removes the container and its anonymous volumes; a container that is already gone is not an error.</summary>
    Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Whether a Docker volume of this name exists.</summary>
    Task<bool> VolumeExistsAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates a Docker volume; creating one that exists already with the same driver is not an error.</summary>
    Task CreateVolumeAsync(VolumeSpec spec, CancellationToken cancellationToken);

    /// <summary>Removes a Docker volume; one that is already gone is not an error, one still in use is.</summary>
    Task RemoveVolumeAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the image by name (<c>docker rmi</c>, without force): an image a container still uses is refused by
    /// Docker (an exception), one that is already gone is not an error. Image cleanup's only call.
    /// </summary>
    Task RemoveImageAsync(string image, CancellationToken cancellationToken) =>
        Task.FromException(new NotSupportedException("This Docker driver does not remove images."));

    /// <summary>Loads the images of a <c>docker save</c> archive (<c>docker load</c>).</summary>
    Task LoadImagesAsync(Stream archive, CancellationToken cancellationToken);

    /// <summary>The network of this name, null when Docker does not have it.</summary>
    Task<NetworkInspection?> InspectNetworkAsync(string name, CancellationToken cancellationToken);

    Task CreateNetworkAsync(NetworkSpec spec, CancellationToken cancellationToken);

    /// <summary>Removes a network; one that is already gone is not an error, one with containers attached is.</summary>
    Task RemoveNetworkAsync(string name, CancellationToken cancellationToken);

    /// <summary>Attaches a (created or running) container to one more network (<c>docker network connect</c>).</summary>
    Task ConnectNetworkAsync(string network, string containerId, CancellationToken cancellationToken);

    /// <summary>
    /// Docker's events for containers that carry the task-ARN label, until the stream breaks (an exception) or
    /// <paramref name="cancellationToken"/> is cancelled. The subscription starts a few seconds in the past, so an
    /// event that happened while the caller was (re)subscribing is delivered rather than lost; callers treat events as
    /// hints to inspect, so a repeated one does no harm.
    /// </summary>
    IAsyncEnumerable<ContainerEvent> WatchContainerEventsAsync(CancellationToken cancellationToken);
}

/// <summary>A container found by its labels: its ID, its name and all its labels.</summary>
public sealed record LabelledContainer(string Id, string Name, IReadOnlyDictionary<string, string> Labels);

/// <summary>What registration needs to know about the Docker host.</summary>
public sealed record DockerHostInfo(
    int Cpus,
    long MemoryBytes,
    string OsType,
    string Architecture,
    string ServerVersion,
    string ApiVersion);

public enum ContainerRunState
{
    /// <summary>Created and never started.</summary>
    Created,
    /// <summary>Running, paused or restarting: its process is alive.</summary>
    Running,
    /// <summary>Exited or dead.</summary>
    Exited,
}

/// <summary>What the agent reads back from a container.</summary>
public sealed record ContainerInspection
{
    public required string Id { get; init; }
    public required ContainerRunState State { get; init; }
    public int? ExitCode { get; init; }
    public bool OomKilled { get; init; }
    /// <summary>Docker's error for a container that failed to start, if any.</summary>
    public string? Error { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Docker's health status (<c>starting</c>, <c>healthy</c>, <c>unhealthy</c>); null without a health check.</summary>
    public string? Health { get; init; }
    public IReadOnlyList<PortBindingInfo> Bindings { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>The container's addresses on user-defined networks (bridge, macvlan …), by network name.</summary>
    public IReadOnlyDictionary<string, NetworkEndpointInfo> Networks { get; init; } = new Dictionary<string, NetworkEndpointInfo>();
}

/// <summary>A container's address on one network.</summary>
public sealed record NetworkEndpointInfo(string Ipv4Address, string MacAddress);

/// <summary>A Docker network to create: its driver and options (macvlan: <c>parent</c>) and its subnets.</summary>
public sealed record NetworkSpec
{
    public required string Name { get; init; }
    public required string Driver { get; init; }
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<NetworkSubnet> Subnets { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>No traffic leaves the network (<c>docker network create --internal</c>), and it gives no default route.</summary>
    public bool Internal { get; init; }
}

/// <summary>A subnet of a network (<c>10.0.1.0/24</c>) and its gateway.</summary>
public sealed record NetworkSubnet(string Cidr, string? Gateway);

/// <summary>What the agent reads back from a network: how it is made and how many containers are attached.</summary>
public sealed record NetworkInspection
{
    public required string Id { get; init; }
    public required string Driver { get; init; }
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<NetworkSubnet> Subnets { get; init; } = [];
    public int Containers { get; init; }
}

/// <summary>A published port as Docker reports it after start.</summary>
public sealed record PortBindingInfo(string BindIp, int ContainerPort, int HostPort, string Protocol);

/// <summary>A Docker event about a container (die, stop, oom, start, <c>health_status: healthy</c>, …).</summary>
public sealed record ContainerEvent(string ContainerId, string Action);

/// <summary>
/// How far a pull is: bytes downloaded and the sizes of the layers Docker has begun downloading (so far:
/// <see cref="Layers"/> sized of the <see cref="LayersToDownload"/> it announced; layers already present are not counted).
/// </summary>
public sealed record PullStatus(long DownloadedBytes, long TotalBytes, int Layers, int LayersToDownload);
