using Orchestrator.Agent.Awsvpc;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>The state machine's actions as Docker operations, run off the loop by <see cref="DockerOperations"/>.</summary>
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

        Func<Task<TaskEvent?>>? operation;
        if (task.Record.Network is not null && AwsvpcTask.IsPause(action.Container) && action.Kind != ContainerActionKind.Stop)
        {
            if (action.Kind == ContainerActionKind.Create && container.DockerName is null)
            {
                container = container with { DockerName = ContainerSpecBuilder.NewDockerName(task.Definition, "internal-ecs-pause") };
                Commit(task, task.Record.WithContainer(container));
            }

            operation = _pause.Operation(task, action, container, _stopping.Token);
        }
        else if ((operation = ContainerOperation(task, action, definition, container)) is null)
        {
            return;
        }

        task.InFlight.Add(action.Container);
        task.RetryAfter.Remove(action.Container);
        _docker.Launch(task.Record.TaskArn, action, operation, task.Trace);
    }

    /// <summary>The Docker operation for a step of one of the task's containers; null when it was settled here.</summary>
    private Func<Task<TaskEvent?>>? ContainerOperation(ManagedTask task, ContainerAction action, ContainerDefinition definition, ContainerRecord container)
    {
        var taskArn = task.Record.TaskArn;
        switch (action.Kind)
        {
            case ContainerActionKind.Pull:
                var image = definition.Image ?? "";
                RegistryAuth? login = null;
                if (definition.RepositoryCredentials?.CredentialsParameter is { Length: > 0 })
                {
                    if (task.RegistryLogins.FirstOrDefault(l => l.ContainerName == definition.Name) is not { } found)
                    {
                        // Only after a restart: logins, like secrets, are never stored.
                        task.InFlight.Add(action.Container);
                        Post(new ActionCompleted(taskArn, action.Container, new ContainerFailed(action.Container, SecretsLostReason, StopsTask: true)));
                        return null;
                    }

                    login = found.Auth;
                }

                var behavior = ImagePullBehavior.Normalize(_options.ImagePullBehavior);
                var pullToken = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, task.PullCancellation.Token);
                return async () =>
                {
                    using (pullToken)
                    {
                        return await _docker.PullAsync(taskArn, action.Container, image, login, behavior, pullToken.Token).ConfigureAwait(false);
                    }
                };
            case ContainerActionKind.Create:
                return CreateOperation(task, action, definition, container);
            case ContainerActionKind.Start:
                var startTranslate = Translator(task, container);
                var volumes = task.Definition is { } taskDefinition ? TaskVolumes.Resolve(taskDefinition, taskArn) : new Dictionary<string, ResolvedVolume>();
                return () => _docker.StartAsync(taskArn, action.Container, container.RuntimeId!, startTranslate,
                    message => VolumeMountFailure.Reason(message, volumes));
            case ContainerActionKind.Stop:
                var timeout = AwsvpcTask.IsPause(container.Name) && task.Record.Network is not null
                    ? AwsvpcTask.PauseStopTimeout
                    : definition.StopTimeout is int seconds and > 0 ? TimeSpan.FromSeconds(seconds) : _options.StopTimeout;
                var stopTranslate = Translator(task, container);
                return () => _docker.StopAsync(taskArn, action.Container, container.RuntimeId!, timeout, stopTranslate);
            default:
                throw new InvalidOperationException($"Unknown action {action.Kind}.");
        }
    }

    /// <summary>Names the container and picks its host ports (both saved first), then builds what Docker is asked to create.</summary>
    private Func<Task<TaskEvent?>>? CreateOperation(ManagedTask task, ContainerAction action, ContainerDefinition definition, ContainerRecord container)
    {
        var taskArn = task.Record.TaskArn;
        if (container.DockerName is null)
        {
            // Chosen and saved before creating, so that after a crash the container can be found by name.
            container = container with { DockerName = ContainerSpecBuilder.NewDockerName(task.Definition!, action.Container) };
            Commit(task, task.Record.WithContainer(container));
        }

        var networking = task.Record.Network is not null
            ? new DockerNetworking($"container:{task.Record.Container(AwsvpcTask.PauseContainer)?.RuntimeId}", false)
            : NetworkModeMapping.Map(task.Definition!.EffectiveNetworkMode, _osType).Networking ?? DockerNetworking.Bridge;
        if (networking.PublishesPorts)
        {
            var (assigned, failure) = _hostPorts.Pick(taskArn, definition, container, _tasks.Values, _osType);
            if (failure is not null)
            {
                // Reported through the loop like any failed operation, so this pass of Drive is not disturbed.
                task.InFlight.Add(action.Container);
                Post(new ActionCompleted(taskArn, action.Container, failure));
                return null;
            }

            if (assigned.Count > 0)
            {
                container = container with { HostPorts = container.HostPorts.AddRange(assigned) };
                Commit(task, task.Record.WithContainer(container));
            }
        }

        if (SecretsOf(task, definition) is not { } secrets || LogSecretOptionsOf(task, definition) is not { } logSecretOptions)
        {
            // Only after a restart: values are never stored, and a running container keeps those it was given.
            task.InFlight.Add(action.Container);
            Post(new ActionCompleted(taskArn, action.Container, new ContainerFailed(action.Container, SecretsLostReason, StopsTask: true)));
            return null;
        }

        var context = new ContainerContext
        {
            Secrets = secrets,
            LogSecretOptions = logSecretOptions,
            DockerNames = task.Record.Containers.Where(c => c.DockerName is not null).ToDictionary(c => c.Name, c => c.DockerName!, StringComparer.Ordinal),
            HostPorts = container.HostPorts,
            GpuIds = container.GpuIds,
            Networking = networking,
            ExtraEnvironment = _metadata?.EnvironmentFor(taskArn, action.Container, task.Definition!.EffectiveNetworkMode,
                taskRole: (task.Overrides?.TaskRoleArn ?? task.Definition!.TaskRoleArn) is { Length: > 0 }) ?? [],
        };
        var spec = ContainerSpecBuilder.Build(
            task.Definition!, definition, task.Overrides, container.DockerName!, taskArn, task.Record.ClusterArn, _store.GetContainerInstanceArn(), context);
        return () => _docker.CreateAsync(taskArn, action.Container, spec);
    }

    internal const string SecretsLostReason =
        "ResourceInitializationError: unable to pull secrets or registry auth: the agent restarted and keeps secrets in memory only; start the task again.";

    /// <summary>The container's secret variables (name → value); null when the agent does not have them all.</summary>
    private static List<KeyValuePair<string, string>>? SecretsOf(ManagedTask task, ContainerDefinition definition)
    {
        var values = new List<KeyValuePair<string, string>>();
        foreach (var secret in definition.Secrets ?? [])
        {
            if (task.Secrets.FirstOrDefault(s => s.ContainerName == definition.Name && s.Name == secret.Name) is not { } value)
            {
                return null;
            }

            values.Add(new(value.Name, value.Value));
        }

        return values;
    }

    /// <summary>The container's log driver secret options (option → value); null when the agent does not have them all.</summary>
    private static Dictionary<string, string>? LogSecretOptionsOf(ManagedTask task, ContainerDefinition definition)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in definition.LogConfiguration?.SecretOptions ?? [])
        {
            if (task.LogSecretOptions.FirstOrDefault(s => s.ContainerName == definition.Name && s.Name == option.Name) is not { } value)
            {
                return null;
            }

            values[value.Name] = value.Value;
        }

        return values;
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
        var isPause = task.Record.Network is not null && AwsvpcTask.IsPause(name);
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
                isPause ? _pause.Address(inspection) : null),
            _ => new ContainerStopped(name, inspection.ExitCode, inspection.OomKilled ? TaskStateMachine.OutOfMemoryReason : null, inspection.Id),
        };
    }
}
