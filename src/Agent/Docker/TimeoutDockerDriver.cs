using System.Diagnostics;
using Orchestrator.Agent.Telemetry;

namespace Orchestrator.Agent.Docker;

/// <summary>
/// Gives every Docker call its own deadline, as the ECS agent's <c>dockerapi</c> does: a call that has not answered
/// within its timeout (<see cref="DockerTimeoutOptions"/>) is abandoned and fails with a
/// <see cref="DockerTimeoutException"/> naming what it was for and how long it waited. A caller's own cancellation
/// stays a cancellation. Wraps the real driver (or any other).
/// </summary>
public sealed class TimeoutDockerDriver(IDockerDriver inner, DockerTimeoutOptions timeouts, TimeProvider time, AgentMetrics? metrics = null) : IDockerDriver, IDisposable
{
    public Task<DockerHostInfo> GetHostInfoAsync(CancellationToken cancellationToken) =>
        Timed("info", "host info read", timeouts.Inspect, inner.GetHostInfoAsync, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) =>
        Timed("ping", "pinged", timeouts.Inspect, inner.PingAsync, cancellationToken);

    public Task<string?> InspectImageAsync(string image, CancellationToken cancellationToken) =>
        Timed("inspect_image", "inspecting image", timeouts.Inspect, t => inner.InspectImageAsync(image, t), cancellationToken);

    public Task PullImageAsync(string image, RegistryAuth? auth, CancellationToken cancellationToken) =>
        Timed("pull", "pulled", timeouts.Pull, t => inner.PullImageAsync(image, auth, t), cancellationToken);

    public Task PullImageAsync(string image, RegistryAuth? auth, Action<PullStatus>? progress, CancellationToken cancellationToken) =>
        Timed("pull", "pulled", timeouts.Pull, t => inner.PullImageAsync(image, auth, progress, t), cancellationToken);

    public Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken) =>
        Timed("create", "created", timeouts.Create, t => inner.CreateContainerAsync(spec, t), cancellationToken);

    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken) =>
        Timed("start", "started", timeouts.Start, t => inner.StartContainerAsync(containerId, t), cancellationToken);

    public Task StopContainerAsync(string containerId, TimeSpan timeout, CancellationToken cancellationToken) =>
        Timed("stop", "stopped", timeout + timeouts.StopBuffer, t => inner.StopContainerAsync(containerId, timeout, t), cancellationToken);

    public Task<ContainerInspection?> InspectContainerAsync(string containerIdOrName, CancellationToken cancellationToken) =>
        Timed("inspect", "inspecting", timeouts.Inspect, t => inner.InspectContainerAsync(containerIdOrName, t), cancellationToken);

    public Task<IReadOnlyList<LabelledContainer>> ListContainersAsync(string label, string value, CancellationToken cancellationToken) =>
        Timed("list", "listed", timeouts.List, t => inner.ListContainersAsync(label, value, t), cancellationToken);

    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken) =>
        Timed("remove", "removed", timeouts.Remove, t => inner.RemoveContainerAsync(containerId, t), cancellationToken);

    public Task<bool> VolumeExistsAsync(string name, CancellationToken cancellationToken) =>
        Timed("inspect_volume", "inspecting volume", timeouts.Inspect, t => inner.VolumeExistsAsync(name, t), cancellationToken);

    public Task CreateVolumeAsync(VolumeSpec spec, CancellationToken cancellationToken) =>
        Timed("create_volume", "volume created", timeouts.Create, t => inner.CreateVolumeAsync(spec, t), cancellationToken);

    public Task RemoveImageAsync(string image, CancellationToken cancellationToken) =>
        Timed("remove_image", "image removed", timeouts.Remove, t => inner.RemoveImageAsync(image, t), cancellationToken);

    public Task RemoveVolumeAsync(string name, CancellationToken cancellationToken) =>
        Timed("remove_volume", "volume removed", timeouts.Remove, t => inner.RemoveVolumeAsync(name, t), cancellationToken);

    public Task LoadImagesAsync(Stream archive, CancellationToken cancellationToken) =>
        Timed("load", "loaded", timeouts.Load, t => inner.LoadImagesAsync(archive, t), cancellationToken);

    public Task<NetworkInspection?> InspectNetworkAsync(string name, CancellationToken cancellationToken) =>
        Timed("inspect_network", "inspecting network", timeouts.Inspect, t => inner.InspectNetworkAsync(name, t), cancellationToken);

    public Task CreateNetworkAsync(NetworkSpec spec, CancellationToken cancellationToken) =>
        Timed("create_network", "network created", timeouts.Create, t => inner.CreateNetworkAsync(spec, t), cancellationToken);

    public Task RemoveNetworkAsync(string name, CancellationToken cancellationToken) =>
        Timed("remove_network", "network removed", timeouts.Remove, t => inner.RemoveNetworkAsync(name, t), cancellationToken);

    public Task ConnectNetworkAsync(string network, string containerId, CancellationToken cancellationToken) =>
        Timed("connect_network", "network connected", timeouts.Create, t => inner.ConnectNetworkAsync(network, containerId, t), cancellationToken);

    /// <summary>A stream with no end of its own: not timed (the engine reconnects when it breaks).</summary>
    public IAsyncEnumerable<ContainerEvent> WatchContainerEventsAsync(CancellationToken cancellationToken) =>
        inner.WatchContainerEventsAsync(cancellationToken);

    public void Dispose() => (inner as IDisposable)?.Dispose();

    private Task Timed(string kind, string transition, TimeSpan timeout, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        Timed(kind, transition, timeout, async t => { await call(t).ConfigureAwait(false); return true; }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="call"/> with a token cancelled at the deadline, and stops waiting for it then even if it
    /// does not honour the token.
    /// </summary>
    /// <remarks>Each call's duration is recorded by kind and result (<see cref="AgentMetrics"/>).</remarks>
    private async Task<T> Timed<T>(string kind, string transition, TimeSpan timeout, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var started = Stopwatch.GetTimestamp();
        var result = "error";
        try
        {
            var value = await call(linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
            result = "ok";
            return value;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            result = "timeout";
            throw new DockerTimeoutException(transition, timeout);
        }
        catch (OperationCanceledException)
        {
            result = "cancelled";
            throw;
        }
        finally
        {
            metrics?.DockerOperation(kind, result, started);
        }
    }
}
