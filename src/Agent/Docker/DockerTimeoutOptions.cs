namespace Orchestrator.Agent.Docker;

/// <summary>
/// How long each kind of Docker call may take before the agent gives up on it (<c>Agent:DockerTimeouts:*</c>), with
/// the ECS agent's defaults. A call that takes longer fails with <c>DockerTimeoutError</c>; a container step that times
/// out stops its task with that reason.
/// </summary>
public sealed class DockerTimeoutOptions
{
    /// <summary>Pulling an image (ECS_IMAGE_PULL_TIMEOUT: 2 h).</summary>
    public TimeSpan Pull { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Creating a container, a network or a volume (ECS_CONTAINER_CREATE_TIMEOUT: 4 min).</summary>
    public TimeSpan Create { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>Starting a container (ECS_CONTAINER_START_TIMEOUT on Linux: 3 min).</summary>
    public TimeSpan Start { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Added to a stop's own grace period (the container's stopTimeout) for the whole call, leaving Docker time to
    /// kill it after SIGKILL; the ECS agent's stopContainerTimeoutBuffer is 2 min.
    /// </summary>
    public TimeSpan StopBuffer { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Inspecting a container, an image, a network or a volume, and reading the host's info (ECS: 30 s).</summary>
    public TimeSpan Inspect { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Removing a container, a network or a volume (ECS: 4 min).</summary>
    public TimeSpan Remove { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>Listing containers (ECS: 10 min).</summary>
    public TimeSpan List { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Loading an image archive (<c>docker load</c>; ECS: 10 min).</summary>
    public TimeSpan Load { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Every setting with its name, for validation.</summary>
    public IEnumerable<(string Name, TimeSpan Value)> All() =>
    [
        (nameof(Pull), Pull), (nameof(Create), Create), (nameof(Start), Start), (nameof(StopBuffer), StopBuffer),
        (nameof(Inspect), Inspect), (nameof(Remove), Remove), (nameof(List), List), (nameof(Load), Load),
    ];
}
