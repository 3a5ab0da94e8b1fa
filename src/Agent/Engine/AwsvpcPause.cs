using Orchestrator.Agent.Awsvpc;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Metadata;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// An awsvpc task's pause container (see <see cref="AwsvpcTask"/>), the engine's steps for it. Its "pull" makes sure
/// the pause image is loaded and the host's awsvpc network exists with the task's subnet; create gives it the task's
/// address; start checks Docker gave it that address. Any failure stops the task with
/// <c>ResourceInitializationError</c>, and a pause container that was created but could not start is removed at once:
/// a task whose network could not be set up leaves nothing behind. Network and image changes are serialized, so
/// concurrent tasks never undo each other's. Stopping it is like stopping any container.
/// </summary>
internal sealed partial class AwsvpcPause(IDockerDriver driver, AgentOptions options, ILogger logger, ContainerMetadata? metadata = null) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PauseImage? _image;

    /// <summary>The Docker network awsvpc tasks' pause containers are attached to.</summary>
    private string Network => options.AwsvpcNetwork;

    /// <summary>Reads the pause program when the host runs awsvpc tasks; without it they are refused with the reason.</summary>
    public void LoadImage()
    {
        if (!options.AwsvpcEnabled)
        {
            return;
        }

        try
        {
            _image = PauseImage.FromFile(options.EffectivePauseProgram);
        }
        catch (IOException e)
        {
            Log.PauseProgramMissing(logger, e.Message);
        }
    }

    /// <summary>The definition the engine runs for an awsvpc task: the pause container first, the others depending on it.</summary>
    public TaskDefinition WithPause(TaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var onPause = new ContainerDependency { ContainerName = AwsvpcTask.PauseContainer, Condition = DependencyGraph.Running };
        var pause = new ContainerDefinition
        {
            Name = AwsvpcTask.PauseContainer,
            Image = _image?.Name ?? $"{PauseImage.Repository}:unavailable",
            Essential = true,
        };
        return definition with
        {
            ContainerDefinitions =
            [
                pause,
                .. definition.ContainerDefinitions.Select(c => c with { DependsOn = [onPause, .. c.DependsOn ?? []] }),
            ],
        };
    }

    /// <summary>Why this agent cannot run an awsvpc task as sent, or null (or when the task is not awsvpc).</summary>
    public string? Problem(TaskDefinition definition, RunTaskCommand command, string osType)
    {
        if (definition.EffectiveNetworkMode != NetworkModes.Awsvpc || DockerOs.IsWindows(osType))
        {
            return null;
        }

        if (!options.AwsvpcEnabled || _image is null)
        {
            return options.AwsvpcEnabled
                ? $"ResourceInitializationError: this agent cannot run awsvpc tasks: its pause program {options.EffectivePauseProgram} cannot be read."
                : "ResourceInitializationError: this agent does not run awsvpc tasks: start it with --awsvpc-interface.";
        }

        return command.Network is not { Ipv4Address.Length: > 0 }
            ? "ResourceInitializationError: the control plane sent no address for this awsvpc task."
            : null;
    }

    /// <summary>The Docker operation for the pause container's pull, create or start.</summary>
    public Func<Task<TaskEvent?>> Operation(ManagedTask task, ContainerAction action, ContainerRecord container, CancellationToken token)
    {
        var taskArn = task.Record.TaskArn;
        var network = task.Record.Network!;
        switch (action.Kind)
        {
            case ContainerActionKind.Pull:
                return () => PreparePauseAsync(taskArn, network, token);
            case ContainerActionKind.Create:
                var spec = new ContainerSpec
                {
                    Name = container.DockerName!,
                    Image = _image?.Name ?? "",
                    Labels = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        [ContainerSpecBuilder.TaskArnLabel] = taskArn,
                        [ContainerSpecBuilder.ContainerNameLabel] = AwsvpcTask.PauseContainer,
                        [ContainerSpecBuilder.FamilyLabel] = task.Definition!.Family,
                        [ContainerSpecBuilder.RevisionLabel] = task.Definition.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        [ContainerSpecBuilder.ClusterLabel] = Ecs.Arns.ShortName(task.Record.ClusterArn, "cluster"),
                    },
                    CpuShares = ContainerSpecBuilder.MinimumCpuShares,
                    NetworkMode = Network,
                    Ipv4Address = network.Ipv4Address,
                };
                return () => CreatePauseAsync(taskArn, network, spec, token);
            case ContainerActionKind.Start:
                var id = container.RuntimeId!;
                return () => StartPauseAsync(taskArn, id, network, token);
            default:
                throw new InvalidOperationException($"The pause container is stopped like any other, not by {action.Kind}.");
        }
    }

    /// <summary>The pause container's address on the awsvpc network, from an inspection.</summary>
    public InterfaceAddress? Address(ContainerInspection inspection) =>
        inspection.Networks.GetValueOrDefault(Network) is { } endpoint ? new InterfaceAddress(endpoint.Ipv4Address, endpoint.MacAddress) : null;

    public void Dispose() => _gate.Dispose();

    private async Task<TaskEvent?> PreparePauseAsync(string taskArn, TaskNetworkRecord network, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var image = _image!;
            var digest = await driver.InspectImageAsync(image.Name, cancellationToken).ConfigureAwait(false);
            if (digest is null)
            {
                using (var archive = new MemoryStream(image.Archive(), writable: false))
                {
                    await driver.LoadImagesAsync(archive, cancellationToken).ConfigureAwait(false);
                }

                digest = await driver.InspectImageAsync(image.Name, cancellationToken).ConfigureAwait(false)
                    ?? throw new DockerOperationException($"the pause image {image.Name} is not there after loading it");
                Log.PauseImageLoaded(logger, image.Name);
            }

            if (await EnsureNetworkAsync(network, cancellationToken).ConfigureAwait(false) is { } problem)
            {
                return PauseFailed(taskArn, network, ContainerActionKind.Pull, problem);
            }

            return new ImageReady(AwsvpcTask.PauseContainer, digest);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return PauseFailed(taskArn, network, ContainerActionKind.Pull, e.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The host's awsvpc network: a macvlan network on the configured interface that has the task's subnet. Made once
    /// and kept; a subnet it lacks is added by making it again, which Docker allows only while nothing is attached.
    /// Null when it is ready, else why not.
    /// </summary>
    private async Task<string?> EnsureNetworkAsync(TaskNetworkRecord network, CancellationToken cancellationToken)
    {
        var parent = options.AwsvpcInterface!;
        var subnet = new NetworkSubnet(AwsvpcTask.SubnetCidr(network), network.Gateway);
        var existing = await driver.InspectNetworkAsync(Network, cancellationToken).ConfigureAwait(false);
        if (existing is not null && (existing.Driver != "macvlan" || existing.Options.GetValueOrDefault("parent") != parent))
        {
            return $"the Docker network {Network} is a {existing.Driver} network on '{existing.Options.GetValueOrDefault("parent")}', "
                + $"not a macvlan network on {parent}; remove it (docker network rm {Network}) and the agent makes it again";
        }

        if (existing is not null && existing.Subnets.Any(s => s.Cidr == subnet.Cidr))
        {
            return null;
        }

        if (existing is not null)
        {
            if (existing.Containers > 0)
            {
                return $"the Docker network {Network} on {parent} has {string.Join(", ", existing.Subnets.Select(s => s.Cidr))}; "
                    + $"the task's subnet {network.SubnetId} ({subnet.Cidr}) can be added only while no task uses it";
            }

            await driver.RemoveNetworkAsync(Network, cancellationToken).ConfigureAwait(false);
        }

        var spec = new NetworkSpec
        {
            Name = Network,
            Driver = "macvlan",
            Options = new Dictionary<string, string> { ["parent"] = parent },
            Subnets = [.. existing?.Subnets ?? [], subnet],
            Labels = new Dictionary<string, string> { ["orch.awsvpc"] = "true" },
        };
        await driver.CreateNetworkAsync(spec, cancellationToken).ConfigureAwait(false);
        Log.AwsvpcNetworkCreated(logger, Network, parent, string.Join(", ", spec.Subnets.Select(s => s.Cidr)));
        return null;
    }

    private async Task<TaskEvent?> CreatePauseAsync(string taskArn, TaskNetworkRecord network, ContainerSpec spec, CancellationToken cancellationToken)
    {
        // Under the gate: the network cannot be made again (for another subnet) while a pause container joins it.
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var id = await driver.CreateContainerAsync(spec, cancellationToken).ConfigureAwait(false);
            return new ContainerCreated(AwsvpcTask.PauseContainer, id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return PauseFailed(taskArn, network, ContainerActionKind.Create, e.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<TaskEvent?> StartPauseAsync(string taskArn, string id, TaskNetworkRecord network, CancellationToken cancellationToken)
    {
        string problem;
        try
        {
            // The task metadata endpoint's network (internal, no default route): how the task reaches the agent.
            if (metadata?.AwsvpcNetwork is { } metadataNetwork)
            {
                await driver.ConnectNetworkAsync(metadataNetwork, id, cancellationToken).ConfigureAwait(false);
            }

            await driver.StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
            var inspection = await driver.InspectContainerAsync(id, cancellationToken).ConfigureAwait(false);
            var endpoint = inspection?.Networks.GetValueOrDefault(Network);
            if (inspection is { State: ContainerRunState.Running } && endpoint?.Ipv4Address == network.Ipv4Address)
            {
                return new ContainerRunning(AwsvpcTask.PauseContainer, id, [], null, new InterfaceAddress(endpoint.Ipv4Address, endpoint.MacAddress));
            }

            problem = inspection is { State: ContainerRunState.Running }
                ? $"the pause container got {endpoint?.Ipv4Address ?? "no address"} instead of {network.Ipv4Address}"
                : $"the pause container exited at once ({inspection?.Error ?? $"exit code {inspection?.ExitCode}"})";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            problem = e.Message;
        }

        try
        {
            await driver.RemoveContainerAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RemovalFailed(logger, taskArn, e.Message);
        }

        return PauseFailed(taskArn, network, ContainerActionKind.Start, problem);
    }

    private ContainerFailed PauseFailed(string taskArn, TaskNetworkRecord network, ContainerActionKind step, string problem)
    {
        Log.StepFailed(logger, taskArn, step, problem);
        return new ContainerFailed(
            AwsvpcTask.PauseContainer,
            $"ResourceInitializationError: failed to set up the task's network ({network.Ipv4Address} of {network.SubnetId}): {problem}",
            StopsTask: true);
    }
}
