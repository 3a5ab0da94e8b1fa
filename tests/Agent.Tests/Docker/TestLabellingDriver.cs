using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Tests.Docker;

/// <summary>
/// The real driver, adding <c>orch.test=true</c>, the test process's ID and a per-class run label to every container and
/// volume it creates.
/// </summary>
public sealed class TestLabellingDriver(IDockerDriver inner, string run) : IDockerDriver
{
    public const string RunLabel = "orch.test.run";

    public string RunSelector => $"{RunLabel}={run}";

    public Task<DockerHostInfo> GetHostInfoAsync(CancellationToken cancellationToken) => inner.GetHostInfoAsync(cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

    public Task<string?> InspectImageAsync(string image, CancellationToken cancellationToken) => inner.InspectImageAsync(image, cancellationToken);

    public Task PullImageAsync(string image, RegistryAuth? auth, CancellationToken cancellationToken) => inner.PullImageAsync(image, auth, cancellationToken);

    public Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var labels = new Dictionary<string, string>(spec.Labels) { [DockerFixture.TestLabel] = "true", [DockerFixture.PidLabel] = DockerFixture.Pid, [RunLabel] = run };
        return inner.CreateContainerAsync(spec with { Labels = labels }, cancellationToken);
    }

    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken) => inner.StartContainerAsync(containerId, cancellationToken);

    public Task StopContainerAsync(string containerId, TimeSpan timeout, CancellationToken cancellationToken) =>
        inner.StopContainerAsync(containerId, timeout, cancellationToken);

    public Task<ContainerInspection?> InspectContainerAsync(string containerIdOrName, CancellationToken cancellationToken) =>
        inner.InspectContainerAsync(containerIdOrName, cancellationToken);

    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken) => inner.RemoveContainerAsync(containerId, cancellationToken);

    public Task<IReadOnlyList<LabelledContainer>> ListContainersAsync(string label, string value, CancellationToken cancellationToken) =>
        inner.ListContainersAsync(label, value, cancellationToken);

    public Task<bool> VolumeExistsAsync(string name, CancellationToken cancellationToken) => inner.VolumeExistsAsync(name, cancellationToken);

    public Task CreateVolumeAsync(VolumeSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var labels = new Dictionary<string, string>(spec.Labels) { [DockerFixture.TestLabel] = "true", [DockerFixture.PidLabel] = DockerFixture.Pid, [RunLabel] = run };
        return inner.CreateVolumeAsync(spec with { Labels = labels }, cancellationToken);
    }

    public Task RemoveVolumeAsync(string name, CancellationToken cancellationToken) => inner.RemoveVolumeAsync(name, cancellationToken);

    public Task LoadImagesAsync(Stream archive, CancellationToken cancellationToken) => inner.LoadImagesAsync(archive, cancellationToken);

    public Task<NetworkInspection?> InspectNetworkAsync(string name, CancellationToken cancellationToken) => inner.InspectNetworkAsync(name, cancellationToken);

    public Task CreateNetworkAsync(NetworkSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var labels = new Dictionary<string, string>(spec.Labels) { [DockerFixture.TestLabel] = "true", [DockerFixture.PidLabel] = DockerFixture.Pid, [RunLabel] = run };
        return inner.CreateNetworkAsync(spec with { Labels = labels }, cancellationToken);
    }

    public Task RemoveNetworkAsync(string name, CancellationToken cancellationToken) => inner.RemoveNetworkAsync(name, cancellationToken);

    public Task ConnectNetworkAsync(string network, string containerId, CancellationToken cancellationToken) => inner.ConnectNetworkAsync(network, containerId, cancellationToken);

    public IAsyncEnumerable<ContainerEvent> WatchContainerEventsAsync(CancellationToken cancellationToken) => inner.WatchContainerEventsAsync(cancellationToken);
}
