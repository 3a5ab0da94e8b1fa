using System.Diagnostics;
using Orchestrator.Agent.Telemetry;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.State;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// The engine's Docker calls, run off its loop: each in the background, tracked so that disposal can wait for it, its
/// outcome posted back to the loop as a message. Pulls, creates and starts each hold one of a fixed number of start
/// slots while they run, so a burst of tasks reaches Docker a few containers at a time; a slot is given back however
/// the call ends (done, failed, timed out).
/// </summary>
internal sealed partial class DockerOperations : IDisposable
{
    private readonly IDockerDriver _driver;
    private readonly Action<EngineMessage> _post;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly SemaphoreSlim _startSlots;
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    /// <summary>The images this agent has pulled (<see cref="ImagePullBehavior.Once"/>), kept across restarts when it has a data directory.</summary>
    private readonly PulledImages _pulled;

    private readonly ImageTracker? _images;

    private readonly TaskNotes? _notes;

    /// <summary>The shortest wait between two progress lines of one pull in its task's events.</summary>
    internal static readonly TimeSpan PullProgressInterval = TimeSpan.FromSeconds(5);

    public DockerOperations(
        IDockerDriver driver, int maxConcurrentStarts, Action<EngineMessage> post, ILogger logger, CancellationToken stopping, ImageTracker? images = null, TaskNotes? notes = null, PulledImages? pulled = null)
    {
        _pulled = pulled ?? new PulledImages();
        _images = images;
        _notes = notes;
        _driver = driver;
        _post = post;
        _logger = logger;
        _stopping = stopping;
        _startSlots = new SemaphoreSlim(maxConcurrentStarts, maxConcurrentStarts);
    }

    /// <summary>Runs a step of a container and posts its outcome as <see cref="ActionCompleted"/>.</summary>
    /// <param name="trace">The task's trace: a pull, create or start is a span in it (none when default).</param>
    public void Launch(string taskArn, ContainerAction action, Func<Task<TaskEvent?>> operation, ActivityContext trace = default)
    {
        Log.ActionStarted(_logger, taskArn, action.Container, action.Kind);
        var held = action.Kind is ContainerActionKind.Pull or ContainerActionKind.Create or ContainerActionKind.Start;
        Run(async () =>
        {
            using var span = held && trace != default ? AgentMetrics.Source.StartActivity(SpanName(action.Kind), ActivityKind.Internal, trace) : null;
            span?.SetTag("orch.task_arn", taskArn);
            span?.SetTag("orch.container", action.Container);
            if (held)
            {
                await _startSlots.WaitAsync(_stopping).ConfigureAwait(false);
            }

            try
            {
                var outcome = await operation().ConfigureAwait(false);
                _post(new ActionCompleted(taskArn, action.Container, outcome));
            }
            finally
            {
                if (held)
                {
                    _startSlots.Release();
                }
            }
        });
    }

    private static string SpanName(ContainerActionKind kind) => kind switch
    {
        ContainerActionKind.Pull => "docker.pull",
        ContainerActionKind.Create => "docker.create",
        ContainerActionKind.Start => "docker.start",
        _ => "docker",
    };

    /// <summary>Runs an operation in the background, tracked so that disposal can wait for it.</summary>
    public void Run(Func<Task> operation)
    {
        var running = Task.Run(async () =>
        {
            try
            {
                await operation().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Log.OperationFailed(_logger, e);
            }
        });
        _running.TryAdd(running, 0);
        running.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Every operation still running (for disposal to wait on).</summary>
    public IReadOnlyCollection<Task> Running => [.. _running.Keys];

    /// <summary>Inspects the container and posts what Docker says as <see cref="ContainerInspected"/>.</summary>
    public void Inspect(string taskArn, string container, string id) => Run(async () =>
    {
        try
        {
            var inspection = await _driver.InspectContainerAsync(id, _stopping).ConfigureAwait(false);
            _post(new ContainerInspected(taskArn, container, inspection));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.InspectFailed(_logger, taskArn, container, e.Message);
        }
    });

    /// <summary>
    /// Makes the container's image ready as <paramref name="behavior"/> says (<see cref="ImagePullBehavior"/>): pulled
    /// (with <paramref name="login"/> for a private registry) or taken from the cache.
    /// </summary>
    public async Task<TaskEvent?> PullAsync(
        string taskArn, string container, string image, RegistryAuth? login, string behavior, CancellationToken cancellationToken)
    {
        try
        {
            var cached = await _driver.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
            var pull = behavior switch
            {
                ImagePullBehavior.PreferCached => cached is null,
                ImagePullBehavior.Once => cached is null || !_pulled.Contains(image),
                _ => true,
            };
            if (!pull)
            {
                Log.ImageCached(_logger, taskArn, container, image, behavior);
                _images?.Used(image);
                return new ImageReady(container, cached!);
            }

            var started = Stopwatch.GetTimestamp();
            var progress = new PullNotes(_notes, taskArn, image);
            try
            {
                Log.PullingImage(_logger, taskArn, container, image);
                await _driver.PullImageAsync(image, login, progress.Report, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (behavior == ImagePullBehavior.Default && cached is not null
                && e is not OperationCanceledException && !DockerErrors.IsUnreachable(e))
            {
                // ECS's default: a failed pull falls back to the cached image.
                Log.PullFailedUsingCached(_logger, taskArn, container, image, e.Message);
                _notes?.Add(taskArn, $"pull of image {image} failed, using the cached image: {e.Message}");
                _images?.Used(image);
                return new ImageReady(container, cached);
            }

            var digest = await _driver.InspectImageAsync(image, cancellationToken).ConfigureAwait(false)
                ?? throw new DockerOperationException($"image {image} is not present after pulling it");
            _pulled.Add(image);
            _images?.Used(image);
            _notes?.Add(taskArn, progress.Done(Stopwatch.GetElapsedTime(started)));
            return new ImageReady(container, digest);
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            // The task was stopped while the image was pulling.
            return new ContainerStopped(container, null, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failure(taskArn, container, ContainerActionKind.Pull, "CannotPullContainerError", e);
        }
    }

    public async Task<TaskEvent?> CreateAsync(string taskArn, string container, ContainerSpec spec)
    {
        foreach (var volume in spec.Volumes)
        {
            try
            {
                if (await _driver.VolumeExistsAsync(volume.Name, _stopping).ConfigureAwait(false))
                {
                    continue;
                }

                if (!volume.CreateIfMissing)
                {
                    return new ContainerFailed(container,
                        $"ResourceInitializationError: the shared Docker volume {volume.Name} does not exist and autoprovision is not set", StopsTask: true);
                }

                Log.CreatingVolume(_logger, taskArn, container, volume.Name);
                await _driver.CreateVolumeAsync(volume, _stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.ActionFailed(_logger, taskArn, container, ContainerActionKind.Create, e.Message);
                return new ContainerFailed(container, $"ResourceInitializationError: Docker volume {volume.Name}: {e.Message}", StopsTask: true);
            }
        }

        try
        {
            var id = await _driver.CreateContainerAsync(spec, _stopping).ConfigureAwait(false);
            return new ContainerCreated(container, id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (e.Message.Contains("is already in use", StringComparison.Ordinal) && await ExistingAsync(spec.Name).ConfigureAwait(false) is { } existing)
            {
                return new ContainerCreated(container, existing); // created by an earlier attempt whose answer was lost
            }

            // Docker unreachable: tried again later; a container Docker did create meanwhile is found by its name then.
            return Failure(taskArn, container, ContainerActionKind.Create, "CannotCreateContainerError", e);
        }
    }

    /// <summary>
    /// Starts the container. <paramref name="mountFailure"/> tells Docker's answer when a volume could not be mounted (an
    /// NFS server unreachable, a kernel without NFS): that stops the task at once, never retried.
    /// </summary>
    public async Task<TaskEvent?> StartAsync(string taskArn, string container, string id, Func<ContainerInspection?, TaskEvent?> translate,
        Func<string, string?>? mountFailure = null)
    {
        try
        {
            await _driver.StartContainerAsync(id, _stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or DockerTimeoutException) && !DockerErrors.IsUnreachable(e)
            && mountFailure?.Invoke(e.Message) is { } reason)
        {
            // The reason, not Docker's message: that repeats the mount options.
            Log.ActionFailed(_logger, taskArn, container, ContainerActionKind.Start, reason);
            return new ContainerFailed(container, reason, StopsTask: true);
        }
        catch (Exception e) when (e is not (OperationCanceledException or DockerTimeoutException) && !DockerErrors.IsUnreachable(e)
            && TakenHostPort(e.Message) is { } port)
        {
            Log.ActionFailed(_logger, taskArn, container, ContainerActionKind.Start, e.Message);
            return new HostPortTaken(container, port);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failure(taskArn, container, ContainerActionKind.Start, "CannotStartContainerError", e);
        }

        try
        {
            // Read back what Docker actually did: the host ports it picked, or that the process has already exited.
            var inspection = await _driver.InspectContainerAsync(id, _stopping).ConfigureAwait(false);
            return translate(inspection) ?? new ContainerRunning(container, id, []);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.InspectFailed(_logger, taskArn, container, e.Message);
            return new ContainerRunning(container, id, []);
        }
    }

    /// <summary>Stops the container; null (try again later) when it could not be stopped or is still running.</summary>
    public async Task<TaskEvent?> StopAsync(string taskArn, string container, string id, TimeSpan timeout, Func<ContainerInspection?, TaskEvent?> translate)
    {
        try
        {
            Log.StoppingContainer(_logger, taskArn, container, id, timeout);
            await _driver.StopContainerAsync(id, timeout, _stopping).ConfigureAwait(false);
            var inspection = await _driver.InspectContainerAsync(id, _stopping).ConfigureAwait(false);
            return inspection is { State: ContainerRunState.Running } ? null : translate(inspection);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ActionFailed(_logger, taskArn, container, ContainerActionKind.Stop, e.Message);
            return null;
        }
    }

    /// <summary>Removes a stopped task's containers (last first) and then its task-scoped volumes; posts <see cref="CleanupCompleted"/>.</summary>
    public async Task CleanupAsync(StoredTask task, IReadOnlyList<string> taskVolumes)
    {
        var succeeded = true;
        // Last first: an awsvpc task's pause container, whose network the others share, goes after them.
        foreach (var container in task.Containers.Reverse())
        {
            if (container.RuntimeId is not { } id)
            {
                continue;
            }

            try
            {
                await _driver.RemoveContainerAsync(id, _stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.CleanupFailed(_logger, task.TaskArn, container.Name, e.Message);
                succeeded = false;
            }
        }

        // The task's own volumes go with it (only once no container holds them); shared ones stay.
        foreach (var volume in succeeded ? taskVolumes : [])
        {
            try
            {
                await _driver.RemoveVolumeAsync(volume, _stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.VolumeCleanupFailed(_logger, task.TaskArn, volume, e.Message);
                succeeded = false;
            }
        }

        _post(new CleanupCompleted(task.TaskArn, succeeded));
    }

    public void Dispose() => _startSlots.Dispose();

    /// <summary>
    /// The host port in Docker's "Bind for 0.0.0.0:32768 failed: port is already allocated" or the userland proxy's
    /// "listen tcp4 0.0.0.0:32768: bind: address already in use"; null for any other failure.
    /// </summary>
    internal static int? TakenHostPort(string message)
    {
        var match = TakenPortPattern().Match(message);
        return match.Success ? int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// What a failed step of a container means: nothing yet when Docker cannot be reached (null: tried again later),
    /// else the container failed — with ECS's <c>DockerTimeoutError</c> when Docker did not answer in time, with
    /// <paramref name="errorName"/> and Docker's message otherwise.
    /// </summary>
    private ContainerFailed? Failure(string taskArn, string container, ContainerActionKind kind, string errorName, Exception e)
    {
        if (DockerErrors.IsUnreachable(e))
        {
            Log.DockerUnavailable(_logger, e.Message);
            return null;
        }

        Log.ActionFailed(_logger, taskArn, container, kind, e.Message);
        return new ContainerFailed(container, e is DockerTimeoutException timeout ? timeout.Reason : $"{errorName}: {e.Message}");
    }

    private async Task<string?> ExistingAsync(string name)
    {
        try
        {
            return (await _driver.InspectContainerAsync(name, _stopping).ConfigureAwait(false))?.Id;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    [GeneratedRegex(@":(?<port>\d+)(?: failed: port is already allocated|: bind: address already in use)")]
    private static partial Regex TakenPortPattern();

    /// <summary>
    /// One pull's lines for its task's events: the first download step, then at most one per
    /// <see cref="PullProgressInterval"/>, and the end. Called on Docker's progress thread.
    /// </summary>
    private sealed class PullNotes(TaskNotes? notes, string taskArn, string image)
    {
        private long _lastNote;
        private long _total;

        public void Report(PullStatus status)
        {
            Interlocked.Exchange(ref _total, status.TotalBytes);
            if (notes is null)
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            var last = Interlocked.Read(ref _lastNote);
            if ((last != 0 && Stopwatch.GetElapsedTime(last, now) < PullProgressInterval) || Interlocked.CompareExchange(ref _lastNote, now, last) != last)
            {
                return;
            }

            notes.Add(taskArn, string.Create(CultureInfo.InvariantCulture,
                $"pulling image {image}: {Size(status.DownloadedBytes)} of {Size(status.TotalBytes)} so far ({status.Layers} of {Math.Max(status.Layers, status.LayersToDownload)} layers sized)"));
        }

        public string Done(TimeSpan took) => Interlocked.Read(ref _total) is > 0 and var total
            ? string.Create(CultureInfo.InvariantCulture, $"pulled image {image} in {took.TotalSeconds:0.0} s ({Size(total)})")
            : string.Create(CultureInfo.InvariantCulture, $"pulled image {image} in {took.TotalSeconds:0.0} s (already up to date)");

        /// <summary>Decimal units as Docker prints them: kB below a megabyte, MB above.</summary>
        private static string Size(long bytes) => bytes < 1_000_000
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1000.0:0.0} kB")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1_000_000.0:0.0} MB");
    }
}
