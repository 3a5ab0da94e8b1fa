using System.Globalization;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>The Docker side of the engine: operations run off the loop and report back as messages.</summary>
public sealed partial class TaskEngine
{
    private void Launch(ManagedTask task, ContainerAction action)
    {
        var definition = task.ContainerDefinition(action.Container);
        var container = task.Record.Container(action.Container);
        if (definition is null || container is null || task.Definition is null)
        {
            return;
        }

        var taskArn = task.Record.TaskArn;
        var token = _stopping.Token;
        Func<Task<TaskEvent?>>? operation;
        if (task.Record.Network is not null && Awsvpc.AwsvpcTask.IsPause(action.Container))
        {
            if (action.Kind == ContainerActionKind.Create && container.DockerName is null)
            {
                container = container with { DockerName = ContainerSpecBuilder.NewDockerName(task.Definition, "internal-ecs-pause") };
                Commit(task, task.Record.WithContainer(container));
            }

            operation = PauseOperation(task, action, container, token);
        }
        else if ((operation = ContainerOperation(task, action, definition, container, token)) is null)
        {
            return;
        }

        task.InFlight.Add(action.Container);
        task.RetryAfter.Remove(action.Container);
        Log.ActionStarted(_logger, taskArn, action.Container, action.Kind);
        var held = action.Kind is ContainerActionKind.Pull or ContainerActionKind.Create or ContainerActionKind.Start;
        Run(async () =>
        {
            if (held)
            {
                await _startSlots.WaitAsync(token).ConfigureAwait(false);
            }

            try
            {
                var outcome = await operation().ConfigureAwait(false);
                Post(new ActionCompleted(taskArn, action.Container, outcome));
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

    /// <summary>The Docker operation for a step of one of the task's own containers; null when it was settled here.</summary>
    private Func<Task<TaskEvent?>>? ContainerOperation(
        ManagedTask task, ContainerAction action, ContainerDefinition definition, ContainerRecord container, CancellationToken token)
    {
        var taskArn = task.Record.TaskArn;
        Func<Task<TaskEvent?>> operation;
        switch (action.Kind)
        {
            case ContainerActionKind.Pull:
                var image = definition.Image ?? "";
                var pullToken = CancellationTokenSource.CreateLinkedTokenSource(token, task.PullCancellation.Token);
                operation = async () =>
                {
                    using (pullToken)
                    {
                        return await PullAsync(taskArn, action.Container, image, pullToken.Token).ConfigureAwait(false);
                    }
                };
                break;
            case ContainerActionKind.Create:
                if (container.DockerName is null)
                {
                    // Chosen and saved before creating, so that after a crash the container can be found by name.
                    container = container with { DockerName = ContainerSpecBuilder.NewDockerName(task.Definition!, action.Container) };
                    Commit(task, task.Record.WithContainer(container));
                }

                var networking = task.Record.Network is not null
                    ? new DockerNetworking($"container:{task.Record.Container(Awsvpc.AwsvpcTask.PauseContainer)?.RuntimeId}", false)
                    : NetworkModeMapping.Map(task.Definition!.EffectiveNetworkMode, _osType).Networking ?? DockerNetworking.Bridge;
                if (networking.PublishesPorts && AssignHostPorts(task, definition, container) is { } failure)
                {
                    // Reported through the loop like any failed operation, so this pass of Drive is not disturbed.
                    task.InFlight.Add(action.Container);
                    Post(new ActionCompleted(taskArn, action.Container, failure));
                    return null;
                }

                container = task.Record.Container(action.Container)!;
                var context = new ContainerContext
                {
                    DockerNames = task.Record.Containers.Where(c => c.DockerName is not null).ToDictionary(c => c.Name, c => c.DockerName!, StringComparer.Ordinal),
                    HostPorts = container.HostPorts,
                    GpuIds = container.GpuIds,
                    Networking = networking,
                };
                var spec = ContainerSpecBuilder.Build(
                    task.Definition!, definition, task.Overrides, container.DockerName!, taskArn, task.Record.ClusterArn, _store.GetContainerInstanceArn(), context);
                operation = () => CreateAsync(taskArn, action.Container, spec, token);
                break;
            case ContainerActionKind.Start:
                var startTranslate = Translator(task, container);
                operation = () => StartAsync(taskArn, action.Container, container.RuntimeId!, startTranslate, token);
                break;
            case ContainerActionKind.Stop:
                var timeout = definition.StopTimeout is int seconds and > 0 ? TimeSpan.FromSeconds(seconds) : _options.StopTimeout;
                var stopTranslate = Translator(task, container);
                operation = () => StopAsync(taskArn, action.Container, container.RuntimeId!, timeout, stopTranslate, token);
                break;
            default:
                throw new InvalidOperationException($"Unknown action {action.Kind}.");
        }

        return operation;
    }

    private void Inspect(ManagedTask task, ContainerRecord container)
    {
        var taskArn = task.Record.TaskArn;
        var id = container.RuntimeId!;
        var token = _stopping.Token;
        Run(async () =>
        {
            try
            {
                var inspection = await _driver.InspectContainerAsync(id, token).ConfigureAwait(false);
                Post(new ContainerInspected(taskArn, container.Name, inspection));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.InspectFailed(_logger, taskArn, container.Name, e.Message);
            }
        });
    }

    /// <summary>Runs an operation in the background, tracked so that disposal can wait for it.</summary>
    private void Run(Func<Task> operation)
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
        _operations.TryAdd(running, 0);
        running.ContinueWith(t => _operations.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task<TaskEvent?> PullAsync(string taskArn, string container, string image, CancellationToken cancellationToken)
    {
        try
        {
            var digest = await _driver.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
            if (digest is null)
            {
                Log.PullingImage(_logger, taskArn, container, image);
                await _driver.PullImageAsync(image, cancellationToken).ConfigureAwait(false);
                digest = await _driver.InspectImageAsync(image, cancellationToken).ConfigureAwait(false)
                    ?? throw new DockerOperationException($"image {image} is not present after pulling it");
            }

            return new ImageReady(container, digest);
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            // The task was stopped while the image was pulling.
            return new ContainerStopped(container, null, null);
        }
        catch (Exception e) when (e is not OperationCanceledException && DockerErrors.IsUnreachable(e))
        {
            Log.DockerUnavailable(_logger, e.Message);
            return null; // Docker is down, not the image: try again later
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ActionFailed(_logger, taskArn, container, ContainerActionKind.Pull, e.Message);
            return new ContainerFailed(container, $"CannotPullContainerError: {e.Message}");
        }
    }

    private async Task<TaskEvent?> CreateAsync(string taskArn, string container, ContainerSpec spec, CancellationToken cancellationToken)
    {
        foreach (var volume in spec.Volumes)
        {
            try
            {
                if (await _driver.VolumeExistsAsync(volume.Name, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                if (!volume.CreateIfMissing)
                {
                    return new ContainerFailed(container,
                        $"ResourceInitializationError: the shared Docker volume {volume.Name} does not exist and autoprovision is not set", StopsTask: true);
                }

                Log.CreatingVolume(_logger, taskArn, container, volume.Name);
                await _driver.CreateVolumeAsync(volume, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.ActionFailed(_logger, taskArn, container, ContainerActionKind.Create, e.Message);
                return new ContainerFailed(container, $"ResourceInitializationError: Docker volume {volume.Name}: {e.Message}", StopsTask: true);
            }
        }

        try
        {
            var id = await _driver.CreateContainerAsync(spec, cancellationToken).ConfigureAwait(false);
            return new ContainerCreated(container, id);
        }
        catch (Exception e) when (e is not OperationCanceledException && DockerErrors.IsUnreachable(e))
        {
            Log.DockerUnavailable(_logger, e.Message);
            return null; // tried again later; a container Docker did create meanwhile is found by its name then
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (e.Message.Contains("is already in use", StringComparison.Ordinal) && await ExistingAsync(spec.Name, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return new ContainerCreated(container, existing); // created by an earlier attempt whose answer was lost
            }

            Log.ActionFailed(_logger, taskArn, container, ContainerActionKind.Create, e.Message);
            return new ContainerFailed(container, $"CannotCreateContainerError: {e.Message}");
        }
    }

    private async Task<TaskEvent?> StartAsync(
        string taskArn, string container, string id, Func<ContainerInspection?, TaskEvent?> translate, CancellationToken cancellationToken)
    {
        try
        {
            await _driver.StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && DockerErrors.IsUnreachable(e))
        {
            Log.DockerUnavailable(_logger, e.Message);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException && TakenHostPort(e.Message) is { } port)
        {
            Log.ActionFailed(_logger, taskArn, container, ContainerActionKind.Start, e.Message);
            return new HostPortTaken(container, port);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ActionFailed(_logger, taskArn, container, ContainerActionKind.Start, e.Message);
            return new ContainerFailed(container, $"CannotStartContainerError: {e.Message}");
        }

        try
        {
            // Read back what Docker actually did: the host ports it picked, or that the process has already exited.
            var inspection = await _driver.InspectContainerAsync(id, cancellationToken).ConfigureAwait(false);
            return translate(inspection) ?? new ContainerRunning(container, id, []);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.InspectFailed(_logger, taskArn, container, e.Message);
            return new ContainerRunning(container, id, []);
        }
    }

    private async Task<TaskEvent?> StopAsync(
        string taskArn, string container, string id, TimeSpan timeout, Func<ContainerInspection?, TaskEvent?> translate, CancellationToken cancellationToken)
    {
        try
        {
            Log.StoppingContainer(_logger, taskArn, container, id, timeout);
            await _driver.StopContainerAsync(id, timeout, cancellationToken).ConfigureAwait(false);
            var inspection = await _driver.InspectContainerAsync(id, cancellationToken).ConfigureAwait(false);
            return inspection is { State: ContainerRunState.Running } ? null : translate(inspection);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ActionFailed(_logger, taskArn, container, ContainerActionKind.Stop, e.Message);
            return null;
        }
    }

    /// <summary>
    /// The host port in Docker's "Bind for 0.0.0.0:32768 failed: port is already allocated" or the userland proxy's
    /// "listen tcp4 0.0.0.0:32768: bind: address already in use"; null for any other failure.
    /// </summary>
    internal static int? TakenHostPort(string message)
    {
        var match = TakenPortPattern().Match(message);
        return match.Success ? int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture) : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@":(?<port>\d+)(?: failed: port is already allocated|: bind: address already in use)")]
    private static partial System.Text.RegularExpressions.Regex TakenPortPattern();

    private async Task<string?> ExistingAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await _driver.InspectContainerAsync(name, cancellationToken).ConfigureAwait(false))?.Id;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    private async Task CleanupAsync(StoredTask task, IReadOnlyList<string> taskVolumes, CancellationToken cancellationToken)
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
                await _driver.RemoveContainerAsync(id, cancellationToken).ConfigureAwait(false);
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
                await _driver.RemoveVolumeAsync(volume, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.VolumeCleanupFailed(_logger, task.TaskArn, volume, e.Message);
                succeeded = false;
            }
        }

        Post(new CleanupCompleted(task.TaskArn, succeeded));
    }

    /// <summary>Turns what Docker says about a container into the event it means for the task, if any.</summary>
    private TaskEvent? Translate(ManagedTask task, ContainerRecord container, ContainerInspection? inspection) =>
        Translator(task, container)(inspection);

    /// <summary>Docker's health status as ECS's: healthy → HEALTHY, unhealthy → UNHEALTHY, starting → UNKNOWN.</summary>
    internal static string? HealthOf(string? dockerHealth) => dockerHealth switch
    {
        null => null,
        "healthy" => HealthStatuses.Healthy,
        "unhealthy" => HealthStatuses.Unhealthy,
        _ => HealthStatuses.Unknown,
    };

    private Func<ContainerInspection?, TaskEvent?> Translator(ManagedTask task, ContainerRecord container)
    {
        var hostMode = task.Definition?.EffectiveNetworkMode == NetworkModes.Host;
        var definition = task.ContainerDefinition(container.Name);
        var name = container.Name;
        var known = container.KnownStatus;
        var isPause = task.Record.Network is not null && Awsvpc.AwsvpcTask.IsPause(name);
        return inspection => inspection switch
        {
            null => known >= LifecycleStatus.Created
                ? new ContainerStopped(name, null, "DockerStateError: the container no longer exists")
                : null,
            { State: ContainerRunState.Created } => known < LifecycleStatus.Created ? new ContainerCreated(name, inspection.Id) : null,
            { State: ContainerRunState.Running } => new ContainerRunning(
                name,
                inspection.Id,
                hostMode && definition is not null
                    ? ContainerSpecBuilder.HostModeBindings(definition)
                    : [.. inspection.Bindings.Select(b => new BindingRecord(b.BindIp, b.ContainerPort, b.HostPort, b.Protocol))],
                HealthOf(inspection.Health),
                isPause ? PauseAddress(inspection) : null),
            _ => new ContainerStopped(name, inspection.ExitCode, inspection.OomKilled ? TaskStateMachine.OutOfMemoryReason : null, inspection.Id),
        };
    }
}
