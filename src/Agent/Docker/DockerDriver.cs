using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Orchestrator.Agent.Docker;

/// <summary>The real <see cref="IDockerDriver"/> over Docker's Engine API (Docker.DotNet).</summary>
public sealed partial class DockerDriver : IDockerDriver, IDisposable
{
    /// <summary>The label every task container carries; the event stream is filtered on it.</summary>
    public const string TaskArnLabel = "com.amazonaws.ecs.task-arn";

    private static readonly TimeSpan EventReplayWindow = TimeSpan.FromSeconds(5);

    private readonly DockerClient _client;
    private readonly ILogger<DockerDriver> _logger;
    private readonly Telemetry.AgentMetrics? _metrics;

    public DockerDriver(Uri endpoint, ILogger<DockerDriver> logger, Telemetry.AgentMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        // No client-wide timeout: stops wait as long as the container's stopTimeout and the event stream never ends.
        // Every call is bounded by its cancellation token instead.
        _client = new DockerClientBuilder().WithEndpoint(endpoint).WithTimeout(Timeout.InfiniteTimeSpan).Build();
        _logger = logger;
        _metrics = metrics;
    }

    public async Task<DockerHostInfo> GetHostInfoAsync(CancellationToken cancellationToken)
    {
        var info = await Call(() => _client.System.GetSystemInfoAsync(cancellationToken)).ConfigureAwait(false);
        var version = await Call(() => _client.System.GetVersionAsync(cancellationToken)).ConfigureAwait(false);
        return new DockerHostInfo(
            (int)info.NCPU,
            info.MemTotal,
            info.OSType ?? version.Os ?? "linux",
            info.Architecture ?? version.Arch ?? "",
            info.ServerVersion ?? version.Version ?? "",
            version.APIVersion ?? "");
    }

    public async Task<string?> InspectImageAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
            var digest = response.RepoDigests?.FirstOrDefault(d => d.Contains('@', StringComparison.Ordinal));
            return digest is not null ? digest[(digest.IndexOf('@', StringComparison.Ordinal) + 1)..] : response.ID;
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (DockerApiException e)
        {
            throw new DockerOperationException(MessageOf(e), e);
        }
    }

    public Task PullImageAsync(string image, RegistryAuth? auth, CancellationToken cancellationToken) =>
        PullImageAsync(image, auth, null, cancellationToken);

    public async Task PullImageAsync(string image, RegistryAuth? auth, Action<PullStatus>? onProgress, CancellationToken cancellationToken)
    {
        var (repository, tag) = ImageReference.Split(image);
        Log.Pulling(_logger, image);
        var progress = new PullProgress(onProgress);
        // Docker.DotNet sends the login as this request's X-Registry-Auth header; nothing is kept by Docker.
        var authConfig = auth is null ? null : new AuthConfig { Username = auth.Username, Password = auth.Password, ServerAddress = ImageReference.Registry(image) };
        await Call(() => _client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromImage = repository, Tag = tag }, authConfig, progress, cancellationToken)).ConfigureAwait(false);
        if (progress.Error is { } error)
        {
            throw new DockerOperationException(error);
        }

        _metrics?.Pulled(progress.Bytes);
        Log.Pulled(_logger, image);
    }

    public async Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parameters = ToCreateParameters(spec);
        var response = await Call(() => _client.Containers.CreateContainerAsync(parameters, cancellationToken)).ConfigureAwait(false);
        return response.ID;
    }

    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken) =>
        Call(() => _client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken));

    public async Task StopContainerAsync(string containerId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var seconds = (uint)Math.Max(0, Math.Ceiling(timeout.TotalSeconds));
        try
        {
            await _client.Containers.StopContainerAsync(
                containerId, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            // Gone already: as stopped as it gets.
        }
        catch (DockerApiException e)
        {
            throw new DockerOperationException(MessageOf(e), e);
        }
    }

    public async Task<ContainerInspection?> InspectContainerAsync(string containerIdOrName, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.Containers.InspectContainerAsync(containerIdOrName, cancellationToken).ConfigureAwait(false);
            return ToInspection(response);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
        catch (DockerApiException e)
        {
            throw new DockerOperationException(MessageOf(e), e);
        }
    }

    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken) =>
        Remove(() => _client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken));

    public async Task<bool> VolumeExistsAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Volumes.InspectAsync(name, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (DockerApiException e)
        {
            throw new DockerOperationException(MessageOf(e), e);
        }
    }

    public async Task CreateVolumeAsync(VolumeSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        await Call(() => _client.Volumes.CreateAsync(ToVolumeParameters(spec), cancellationToken)).ConfigureAwait(false);
    }

    public Task RemoveVolumeAsync(string name, CancellationToken cancellationToken) =>
        Remove(() => _client.Volumes.RemoveAsync(name, force: false, cancellationToken));

    public Task RemoveImageAsync(string image, CancellationToken cancellationToken) =>
        Remove(() => _client.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = false }, cancellationToken));

    public Task PingAsync(CancellationToken cancellationToken) => Call(() => _client.System.PingAsync(cancellationToken));

    public async Task<IReadOnlyList<LabelledContainer>> ListContainersAsync(string label, string value, CancellationToken cancellationToken)
    {
        try
        {
            var containers = await _client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{label}={value}"] = true } },
            }, cancellationToken).ConfigureAwait(false);
            return containers
                .Select(c => new LabelledContainer(c.ID, (c.Names?.FirstOrDefault() ?? "").TrimStart('/'), c.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(c.Labels)))
                .ToList();
        }
        catch (DockerApiException e)
        {
            throw new DockerOperationException(MessageOf(e), e);
        }
    }

    public async Task LoadImagesAsync(Stream archive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var progress = new PullProgress(null);
        await Call(() => _client.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, archive, progress, cancellationToken)).ConfigureAwait(false);
        if (progress.Error is { } error)
        {
            throw new DockerOperationException(error);
        }
    }

    public async Task<NetworkInspection?> InspectNetworkAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.Networks.InspectNetworkAsync(name, cancellationToken).ConfigureAwait(false);
            // Docker matches IDs by prefix too: only the network of exactly this name is the one asked for.
            return response.Name == name ? ToNetworkInspection(response) : null;
        }
        catch (DockerNetworkNotFoundException)
        {
            return null;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (DockerApiException e)
        {
            throw new DockerOperationException(MessageOf(e), e);
        }
    }

    public async Task CreateNetworkAsync(NetworkSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        await Call(() => _client.Networks.CreateNetworkAsync(ToNetworkParameters(spec), cancellationToken)).ConfigureAwait(false);
    }

    public Task RemoveNetworkAsync(string name, CancellationToken cancellationToken) =>
        Remove(() => _client.Networks.DeleteNetworkAsync(name, cancellationToken));

    public async Task ConnectNetworkAsync(string network, string containerId, CancellationToken cancellationToken) =>
        await Call(() => _client.Networks.ConnectNetworkAsync(network, new NetworkConnectParameters { Container = containerId }, cancellationToken)).ConfigureAwait(false);

    public async IAsyncEnumerable<ContainerEvent> WatchContainerEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var since = DateTimeOffset.UtcNow - EventReplayWindow;
        var parameters = new ContainerEventsParameters
        {
            Since = since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                ["label"] = new Dictionary<string, bool> { [TaskArnLabel] = true },
            },
        };
        var channel = Channel.CreateUnbounded<ContainerEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var progress = new EventProgress(channel.Writer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var monitor = MonitorAsync(parameters, progress, channel.Writer, stop.Token);
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await monitor.ConfigureAwait(false);
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>A removal: what Docker no longer has (404, whichever exception type says it) is already removed.</summary>
    private static async Task Remove(Func<Task> removal)
    {
        try
        {
            await Call(removal).ConfigureAwait(false);
        }
        catch (DockerOperationException e) when (e.InnerException is DockerApiException { StatusCode: HttpStatusCode.NotFound })
        {
            // Already removed.
        }
    }

    private static async Task Call(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            throw new DockerOperationException(MessageOf(e), e);
        }
        catch (HttpRequestException e)
        {
            throw new DockerOperationException(e.Message, e);
        }
    }

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            throw new DockerOperationException(MessageOf(e), e);
        }
        catch (HttpRequestException e)
        {
            throw new DockerOperationException(e.Message, e);
        }
    }

    private async Task MonitorAsync(ContainerEventsParameters parameters, EventProgress progress, ChannelWriter<ContainerEvent> writer, CancellationToken cancellationToken)
    {
        try
        {
            await _client.System.MonitorEventsAsync(parameters, progress, cancellationToken).ConfigureAwait(false);
            writer.TryComplete(new DockerOperationException("Docker's event stream ended."));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            writer.TryComplete();
        }
        catch (Exception e)
        {
            Log.EventStreamFailed(_logger, e.Message);
            writer.TryComplete(e is DockerApiException api ? new DockerOperationException(MessageOf(api), api) : e);
        }
    }

    /// <summary>Collects the error a pull reports inside its progress stream (HTTP 200 with an error message).</summary>
    /// <summary>
    /// Reads Docker's pull messages: the first error, each layer's size and how much of it is downloaded (a layer
    /// that is complete, or was already present, counts whole), told to the caller's callback on each download step.
    /// </summary>
    private sealed class PullProgress(Action<PullStatus>? onProgress) : IProgress<JSONMessage>
    {
        private readonly Dictionary<string, (long Current, long Total)> _layers = new(StringComparer.Ordinal);

        /// <summary>The layers Docker said it will download ("Pulling fs layer"), sized or not yet.</summary>
        private readonly HashSet<string> _announced = new(StringComparer.Ordinal);

        public string? Error { get; private set; }

        /// <summary>The layers' sizes as Docker reported them while downloading (nothing for layers already present).</summary>
        public long Bytes
        {
            get
            {
                lock (_layers)
                {
                    return _layers.Values.Sum(l => l.Total);
                }
            }
        }

        public void Report(JSONMessage value)
        {
            PullStatus? status = null;
            if (value is { ID: { Length: > 0 } id })
            {
                lock (_layers)
                {
                    if (value.Status is "Pulling fs layer" or "Waiting" or "Downloading")
                    {
                        _announced.Add(id);
                    }

                    var known = _layers.GetValueOrDefault(id);
                    if (value is { Status: "Downloading", Progress.Total: > 0 } && value.Progress is { } step)
                    {
                        long current = step.Current ?? 0;
                        long total = step.Total ?? 0;
                        _layers[id] = (Math.Max(known.Current, current), Math.Max(total, known.Total));
                        status = new PullStatus(_layers.Values.Sum(l => l.Current), _layers.Values.Sum(l => l.Total), _layers.Count, _announced.Count);
                    }
                    else if (value.Status is "Download complete" && known.Total > 0)
                    {
                        _layers[id] = (known.Total, known.Total);
                        status = new PullStatus(_layers.Values.Sum(l => l.Current), _layers.Values.Sum(l => l.Total), _layers.Count, _announced.Count);
                    }
                }
            }

            if (value?.Error?.Message is { Length: > 0 } message)
            {
                Error ??= message;
            }

            if (status is not null)
            {
                onProgress?.Invoke(status);
            }
        }
    }

    /// <summary>Writes events straight into a channel, in order (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class EventProgress(ChannelWriter<ContainerEvent> writer) : IProgress<Message>
    {
        public void Report(Message value)
        {
            var id = value?.Actor?.ID;
            if (id is { Length: > 0 } && value!.Type == "container" && value.Action is { Length: > 0 } action)
            {
                writer.TryWrite(new ContainerEvent(id, action));
            }
        }
    }
}
