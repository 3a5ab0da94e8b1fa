using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Tests.Support;

/// <summary>An in-memory Docker for engine tests: records every call, hands out dynamic ports, and can be told to fail.</summary>
internal sealed class FakeDockerDriver : IDockerDriver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FakeContainer> _containers = new(StringComparer.Ordinal);
    private Channel<ContainerEvent> _events = Channel.CreateUnbounded<ContainerEvent>();
    private int _nextPort = 32768;
    private int _nextId;

    public DockerHostInfo HostInfo { get; set; } = new(4, 8L * 1024 * 1024 * 1024, "linux", "x86_64", "20.10.24", "1.41");

    /// <summary>Images present locally, with their digests.</summary>
    public ConcurrentDictionary<string, string> Images { get; } = new(StringComparer.Ordinal);

    /// <summary>Images whose pull fails, with Docker's message.</summary>
    public ConcurrentDictionary<string, string> PullFailures { get; } = new(StringComparer.Ordinal);

    /// <summary>Images whose containers fail to create / start, with Docker's message.</summary>
    public ConcurrentDictionary<string, string> CreateFailures { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, string> StartFailures { get; } = new(StringComparer.Ordinal);

    /// <summary>Images whose containers' create never answers: it waits until cancelled, as a stuck Docker does.</summary>
    public ConcurrentDictionary<string, byte> HangingCreates { get; } = new(StringComparer.Ordinal);

    /// <summary>Host ports some other process holds: starting a container published on one fails as Docker does.</summary>
    public ConcurrentDictionary<int, byte> TakenHostPorts { get; } = new();

    /// <summary>When set, pulls wait for it (to stop a task mid-pull).</summary>
    public TaskCompletionSource? PullGate { get; set; }

    /// <summary>The exit code a container has after a stop (143: it honoured SIGTERM).</summary>
    public int StopExitCode { get; set; } = 143;

    public ConcurrentQueue<string> Pulls { get; } = new();

    /// <summary>Each pull's image and the registry login it was given (null: anonymous).</summary>
    public ConcurrentQueue<(string Image, RegistryAuth? Auth)> PullLogins { get; } = new();

    public ConcurrentQueue<ContainerSpec> Created { get; } = new();

    public ConcurrentQueue<string> Started { get; } = new();

    public ConcurrentQueue<(string Id, TimeSpan Timeout)> Stops { get; } = new();

    public ConcurrentQueue<string> Removed { get; } = new();

    /// <summary>Docker volumes that exist, by name.</summary>
    public ConcurrentDictionary<string, VolumeSpec> Volumes { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> RemovedVolumes { get; } = new();

    /// <summary>Docker networks that exist, by name.</summary>
    public ConcurrentDictionary<string, NetworkSpec> Networks { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> RemovedNetworks { get; } = new();

    /// <summary>When set, creating a network fails with this message.</summary>
    public string? NetworkFailure { get; set; }

    /// <summary>The images each <c>docker load</c> brought in, in order.</summary>
    public ConcurrentQueue<string> Loaded { get; } = new();

    /// <summary>When set, a container started on a user-defined network gets this address instead of the one asked for.</summary>
    public string? AddressOverride { get; set; }

    public Task<DockerHostInfo> GetHostInfoAsync(CancellationToken cancellationToken) => Task.FromResult(HostInfo);

    public Task<string?> InspectImageAsync(string image, CancellationToken cancellationToken) =>
        Unreachable
            ? Task.FromException<string?>(new HttpRequestException("Connection refused (/var/run/docker.sock)"))
            : Task.FromResult(Images.TryGetValue(image, out var digest) ? digest : null);

    public async Task PullImageAsync(string image, RegistryAuth? auth, CancellationToken cancellationToken)
    {
        Pulls.Enqueue(image);
        PullLogins.Enqueue((image, auth));
        if (PullGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (PullFailures.TryGetValue(image, out var message))
        {
            throw new DockerOperationException(message);
        }

        Images[image] = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(image)));
    }

    public Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        if (HangingCreates.ContainsKey(spec.Image))
        {
            return Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith<string>(
                _ => throw new OperationCanceledException(cancellationToken), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        if (CreateFailures.TryGetValue(spec.Image, out var message))
        {
            throw new DockerOperationException(message);
        }

        if (spec.NetworkMode.StartsWith("container:", StringComparison.Ordinal) && spec.Ports.Count > 0)
        {
            throw new DockerOperationException("conflicting options: port exposing and the container type network mode"); // as Docker does
        }

        lock (_gate)
        {
            if (_containers.Values.Any(c => c.Spec.Name == spec.Name))
            {
                throw new DockerOperationException($"Conflict. The container name \"/{spec.Name}\" is already in use");
            }

            var id = $"{++_nextId:x4}".PadRight(64, 'c');
            _containers[id] = new FakeContainer(id, spec);
            Created.Enqueue(spec);
            return Task.FromResult(id);
        }
    }

    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var container = _containers[containerId];
            if (StartFailures.TryGetValue(container.Spec.Image, out var message))
            {
                throw new DockerOperationException(message);
            }

            if (container.Spec.Ports.FirstOrDefault(p => p.HostPort is { } port && TakenHostPorts.ContainsKey(port)) is { } taken)
            {
                throw new DockerOperationException(
                    $"driver failed programming external connectivity on endpoint {container.Spec.Name}: Bind for 0.0.0.0:{taken.HostPort} failed: port is already allocated");
            }

            container.State = ContainerRunState.Running;
            container.StartedAt = DateTimeOffset.UtcNow;
            container.Bindings = container.Spec.PublishPorts
                ? [.. container.Spec.Ports.Select(p => new PortBindingInfo("0.0.0.0", p.ContainerPort, p.HostPort ?? _nextPort++, p.Protocol))]
                : [];
            Started.Enqueue(containerId);
        }

        return Task.CompletedTask;
    }

    public Task StopContainerAsync(string containerId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Stops.Enqueue((containerId, timeout));
        Exit(containerId, StopExitCode);
        return Task.CompletedTask;
    }

    /// <summary>Runs after an inspection is read and before it is answered (to change the container in between).</summary>
    public Func<string, Task>? AfterInspect { get; set; }

    public async Task<ContainerInspection?> InspectContainerAsync(string containerIdOrName, CancellationToken cancellationToken)
    {
        var inspection = ReadInspection(containerIdOrName);
        if (AfterInspect is { } after)
        {
            await after(containerIdOrName);
        }

        return inspection;
    }

    private ContainerInspection? ReadInspection(string containerIdOrName)
    {
        lock (_gate)
        {
            var container = _containers.Values.FirstOrDefault(c => c.Id == containerIdOrName || c.Spec.Name == containerIdOrName);
            return container is null ? null : new ContainerInspection
            {
                Id = container.Id,
                State = container.State,
                ExitCode = container.State == ContainerRunState.Exited ? container.ExitCode : null,
                OomKilled = container.OomKilled,
                StartedAt = container.StartedAt,
                Health = container.Spec.HealthCheck is null ? null : container.Health,
                Bindings = container.State == ContainerRunState.Running ? container.Bindings : [],
                Labels = container.Spec.Labels,
                Networks = container.State == ContainerRunState.Running && container.Spec.Ipv4Address is { } address
                    ? new Dictionary<string, NetworkEndpointInfo> { [container.Spec.NetworkMode] = new(AddressOverride ?? address, "02:42:0a:00:00:0a") }
                    : new Dictionary<string, NetworkEndpointInfo>(),
            };
        }
    }

    /// <summary>When set, every call fails as if the engine's socket were gone.</summary>
    public bool Unreachable { get; set; }

    public Task PingAsync(CancellationToken cancellationToken) =>
        Unreachable ? Task.FromException(new HttpRequestException("Connection refused (/var/run/docker.sock)")) : Task.CompletedTask;

    public Task<IReadOnlyList<LabelledContainer>> ListContainersAsync(string label, string value, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<LabelledContainer>>(_containers.Values
                .Where(c => c.Spec.Labels.TryGetValue(label, out var v) && v == value)
                .Select(c => new LabelledContainer(c.Id, c.Spec.Name, c.Spec.Labels))
                .ToList());
        }
    }

    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _containers.Remove(containerId);
            Removed.Enqueue(containerId);
        }

        return Task.CompletedTask;
    }

    /// <summary>Images whose removal fails with this message (Docker's "must force": a container uses it).</summary>
    public ConcurrentDictionary<string, string> ImageRemoveFailures { get; } = new(StringComparer.Ordinal);

    /// <summary>Every image removal asked for, in order, failed or not.</summary>
    public ConcurrentQueue<string> ImageRemovals { get; } = new();

    public Task RemoveImageAsync(string image, CancellationToken cancellationToken)
    {
        ImageRemovals.Enqueue(image);
        if (ImageRemoveFailures.TryGetValue(image, out var failure))
        {
            return Task.FromException(new DockerOperationException(failure));
        }

        Images.TryRemove(image, out _);
        return Task.CompletedTask;
    }

    public Task<bool> VolumeExistsAsync(string name, CancellationToken cancellationToken) => Task.FromResult(Volumes.ContainsKey(name));

    public Task CreateVolumeAsync(VolumeSpec spec, CancellationToken cancellationToken)
    {
        Volumes.TryAdd(spec.Name, spec);
        return Task.CompletedTask;
    }

    public Task RemoveVolumeAsync(string name, CancellationToken cancellationToken)
    {
        if (Volumes.TryRemove(name, out _))
        {
            RemovedVolumes.Enqueue(name);
        }

        return Task.CompletedTask;
    }

    public async Task LoadImagesAsync(Stream archive, CancellationToken cancellationToken)
    {
        using var reader = new System.Formats.Tar.TarReader(archive);
        while (await reader.GetNextEntryAsync(copyData: true, cancellationToken) is { } entry)
        {
            if (entry.Name == "manifest.json" && entry.DataStream is { } data)
            {
                using var manifest = await System.Text.Json.JsonDocument.ParseAsync(data, cancellationToken: cancellationToken);
                foreach (var tag in manifest.RootElement[0].GetProperty("RepoTags").EnumerateArray())
                {
                    Images[tag.GetString()!] = "sha256:loaded";
                    Loaded.Enqueue(tag.GetString()!);
                }
            }
        }
    }

    public Task<NetworkInspection?> InspectNetworkAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Networks.TryGetValue(name, out var spec)
                ? new NetworkInspection
                {
                    Id = "net-" + name,
                    Driver = spec.Driver,
                    Options = spec.Options,
                    Subnets = spec.Subnets,
                    Containers = _containers.Values.Count(c => c.Spec.NetworkMode == name && c.State == ContainerRunState.Running),
                }
                : null);
        }
    }

    public Task CreateNetworkAsync(NetworkSpec spec, CancellationToken cancellationToken)
    {
        if (NetworkFailure is { } failure)
        {
            throw new DockerOperationException(failure);
        }

        return Networks.TryAdd(spec.Name, spec) ? Task.CompletedTask : throw new DockerOperationException($"network with name {spec.Name} already exists");
    }

    public Task RemoveNetworkAsync(string name, CancellationToken cancellationToken)
    {
        if (Networks.TryRemove(name, out _))
        {
            RemovedNetworks.Enqueue(name);
        }

        return Task.CompletedTask;
    }

    /// <summary>(network, container) pairs connected with <see cref="ConnectNetworkAsync"/>.</summary>
    public ConcurrentQueue<(string Network, string ContainerId)> ConnectedNetworks { get; } = new();

    public Task ConnectNetworkAsync(string network, string containerId, CancellationToken cancellationToken)
    {
        ConnectedNetworks.Enqueue((network, containerId));
        return Task.CompletedTask;
    }

    /// <summary>The container's health check reports <paramref name="dockerHealth"/> (healthy, unhealthy, starting), and Docker says so.</summary>
    public void SetHealth(string containerId, string dockerHealth)
    {
        lock (_gate)
        {
            _containers[containerId].Health = dockerHealth;
        }

        Events.Writer.TryWrite(new ContainerEvent(containerId, $"health_status: {dockerHealth}"));
    }

    /// <summary>How many times the event stream has been subscribed to.</summary>
    public int EventSubscriptions { get; private set; }

    public async IAsyncEnumerable<ContainerEvent> WatchContainerEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Channel<ContainerEvent> events;
        lock (_gate)
        {
            events = _events;
            EventSubscriptions++;
        }

        await foreach (var item in events.Reader.ReadAllAsync(cancellationToken))
        {
            yield return item;
        }
    }

    /// <summary>The event stream fails, as when dockerd restarts; a new subscription gets a fresh stream.</summary>
    public void BreakEventStream()
    {
        Channel<ContainerEvent> broken;
        lock (_gate)
        {
            broken = _events;
            _events = Channel.CreateUnbounded<ContainerEvent>();
        }

        broken.Writer.TryComplete(new DockerOperationException("unexpected EOF"));
    }

    /// <summary>A container with this spec exists already (as if created by an agent that crashed before saving its ID).</summary>
    public string Preexisting(ContainerSpec spec) => CreateContainerAsync(spec, CancellationToken.None).Result;

    /// <summary>The container's process exits (as if on its own), and Docker says "die".</summary>
    public void Exit(string containerId, int exitCode, bool oomKilled = false, bool announce = true)
    {
        lock (_gate)
        {
            if (!_containers.TryGetValue(containerId, out var container) || container.State != ContainerRunState.Running)
            {
                return;
            }

            container.State = ContainerRunState.Exited;
            container.ExitCode = exitCode;
            container.OomKilled = oomKilled;
        }

        if (announce)
        {
            if (oomKilled)
            {
                Events.Writer.TryWrite(new ContainerEvent(containerId, "oom"));
            }

            Events.Writer.TryWrite(new ContainerEvent(containerId, "die"));
        }
    }

    private Channel<ContainerEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return _events;
            }
        }
    }

    public string IdOf(string containerName)
    {
        lock (_gate)
        {
            return _containers.Values.Single(c => c.Spec.Labels[Orchestrator.Agent.Engine.ContainerSpecBuilder.ContainerNameLabel] == containerName).Id;
        }
    }

    public ContainerInspection Inspect(string id) => InspectContainerAsync(id, CancellationToken.None).Result!;

    private sealed class FakeContainer(string id, ContainerSpec spec)
    {
        public string Id { get; } = id;
        public ContainerSpec Spec { get; } = spec;
        public ContainerRunState State { get; set; } = ContainerRunState.Created;
        public int ExitCode { get; set; }
        public bool OomKilled { get; set; }
        public DateTimeOffset? StartedAt { get; set; }
        public IReadOnlyList<PortBindingInfo> Bindings { get; set; } = [];
        public string Health { get; set; } = "starting";
    }
}
