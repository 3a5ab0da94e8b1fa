using System.Globalization;
using System.Security.Cryptography;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>What a container's spec needs from its task and host besides its definition.</summary>
public sealed record ContainerContext
{
    /// <summary>The Docker names of the task's containers, for links and volumesFrom.</summary>
    public IReadOnlyDictionary<string, string> DockerNames { get; init; } = new Dictionary<string, string>();
    /// <summary>The host ports the agent picked for mappings without a static host port.</summary>
    public IReadOnlyList<PortAssignment> HostPorts { get; init; } = [];
    /// <summary>The GPUs placement gave the container.</summary>
    public IReadOnlyList<string> GpuIds { get; init; } = [];
    /// <summary>How the host attaches the task (see <see cref="NetworkModeMapping"/>); null: the Linux mapping.</summary>
    public DockerNetworking? Networking { get; init; }
    /// <summary><c>NAME=value</c> entries the agent adds (the task metadata endpoint's URIs); they win over the definition's.</summary>
    public IReadOnlyList<string> ExtraEnvironment { get; init; } = [];

    /// <summary>The values of the container's <c>secrets</c> (name → value), set last: they win over environment.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Secrets { get; init; } = [];

    /// <summary>The values of the container's <c>logConfiguration.secretOptions</c> (option → value), added to the log driver's options.</summary>
    public IReadOnlyDictionary<string, string> LogSecretOptions { get; init; } = new Dictionary<string, string>();
}

/// <summary>Maps an ECS container definition (with the task's overrides) to the Docker container to create. Pure.</summary>
public static class ContainerSpecBuilder
{
    public const string TaskArnLabel = DockerDriver.TaskArnLabel;
    public const string ContainerNameLabel = "com.amazonaws.ecs.container-name";
    public const string FamilyLabel = "com.amazonaws.ecs.task-definition-family";
    public const string RevisionLabel = "com.amazonaws.ecs.task-definition-version";
    public const string ClusterLabel = "com.amazonaws.ecs.cluster";
    public const string ContainerInstanceLabel = "com.amazonaws.ecs.container-instance-arn";

    /// <summary>Linux will not take fewer CPU shares; ECS passes 0 and 1 as 2.</summary>
    public const int MinimumCpuShares = 2;

    private const long MiBytes = 1024L * 1024L;

    /// <summary><c>ecs-&lt;family&gt;-&lt;revision&gt;-&lt;container&gt;-&lt;20 random hex digits&gt;</c>, as the ECS agent names containers.</summary>
    public static string NewDockerName(TaskDefinition definition, string containerName)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
        return Sanitize(string.Create(CultureInfo.InvariantCulture, $"ecs-{definition.Family}-{definition.Revision}-{containerName}-{suffix}"));
    }

    public static ContainerSpec Build(
        TaskDefinition definition,
        ContainerDefinition container,
        TaskOverride? overrides,
        string dockerName,
        string taskArn,
        string clusterArn,
        string? containerInstanceArn,
        ContainerContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(container);
        context ??= new ContainerContext();
        var name = container.Name ?? "";
        var containerOverride = overrides?.ContainerOverrides?.FirstOrDefault(o => o.Name == name);
        var networking = context.Networking ?? NetworkModeMapping.Map(definition.EffectiveNetworkMode, "linux").Networking ?? DockerNetworking.Bridge;
        var (binds, volumes) = Mounts(definition, container, taskArn);
        var linux = container.LinuxParameters;
        return new ContainerSpec
        {
            Name = dockerName,
            Image = container.Image ?? "",
            EntryPoint = container.EntryPoint is { Count: > 0 } entryPoint ? entryPoint : null,
            Command = containerOverride?.Command ?? (container.Command is { Count: > 0 } command ? command : null),
            Environment = Environment(container.Environment, containerOverride?.Environment, context.ExtraEnvironment, context.Secrets),
            Labels = Labels(definition, container, taskArn, clusterArn, containerInstanceArn),
            CpuShares = Math.Max(MinimumCpuShares, container.Cpu),
            MemoryBytes = MiB(container.Memory),
            MemoryReservationBytes = MiB(container.MemoryReservation),
            NetworkMode = networking.Mode,
            PublishPorts = networking.PublishesPorts,
            // A container in another's network namespace (awsvpc: the pause container's) has no ports of its own to
            // expose; Docker refuses them there.
            Ports = networking.Mode.StartsWith("container:", StringComparison.Ordinal) ? [] : [.. (container.PortMappings ?? []).Where(p => p.ContainerPort is > 0).Select(p => new PortSpec(
                p.ContainerPort!.Value,
                p.HostPort is > 0 ? p.HostPort : Assigned(context.HostPorts, p),
                p.EffectiveProtocol))],
            Binds = binds,
            Volumes = volumes,
            VolumesFrom = [.. (container.VolumesFrom ?? [])
                .Where(v => v.SourceContainer is not null && context.DockerNames.ContainsKey(v.SourceContainer))
                .Select(v => context.DockerNames[v.SourceContainer!] + (v.ReadOnly == true ? ":ro" : ""))],
            Links = [.. (container.Links ?? [])
                .Where(l => context.DockerNames.ContainsKey(ContainerOrdering.LinkTarget(l)))
                .Select(l => $"{context.DockerNames[ContainerOrdering.LinkTarget(l)]}:{ContainerOrdering.LinkAlias(l)}")],
            ExtraHosts = [.. (container.ExtraHosts ?? []).Select(h => $"{h.Hostname}:{h.IpAddress}")],
            DnsServers = container.DnsServers ?? [],
            Ulimits = [.. (container.Ulimits ?? []).Select(u => new UlimitSpec(u.Name ?? "", u.SoftLimit ?? 0, u.HardLimit ?? 0))],
            Privileged = container.Privileged == true,
            ReadonlyRootfs = container.ReadonlyRootFilesystem == true,
            CapAdd = linux?.Capabilities?.Add ?? [],
            CapDrop = linux?.Capabilities?.Drop ?? [],
            Init = linux?.InitProcessEnabled == true ? true : null,
            ShmSizeBytes = MiB(linux?.SharedMemorySize),
            Tmpfs = (linux?.Tmpfs ?? []).Where(t => !string.IsNullOrEmpty(t.ContainerPath)).ToDictionary(
                t => t.ContainerPath!,
                t => string.Join(',', (t.MountOptions ?? []).Append(string.Create(CultureInfo.InvariantCulture, $"size={t.Size ?? 0}m"))),
                StringComparer.Ordinal),
            Log = container.LogConfiguration is { LogDriver: { } driver } log
                ? new LogSpec(driver, LogOptions(log.Options, context.LogSecretOptions))
                : null,
            HealthCheck = container.HealthCheck is { Command: { Count: > 0 } test } check
                ? new HealthCheckSpec(
                    test,
                    TimeSpan.FromSeconds(check.EffectiveInterval),
                    TimeSpan.FromSeconds(check.EffectiveTimeout),
                    check.EffectiveRetries,
                    TimeSpan.FromSeconds(check.EffectiveStartPeriod))
                : null,
            User = container.User,
            WorkingDirectory = container.WorkingDirectory,
            Hostname = container.Hostname,
            GpuIds = context.GpuIds,
        };
    }

    /// <summary>
    /// The bindings a host-mode container has: its ports are the host's, so they are the port mappings themselves
    /// (Docker reports none).
    /// </summary>
    public static IReadOnlyList<BindingRecord> HostModeBindings(ContainerDefinition container)
    {
        ArgumentNullException.ThrowIfNull(container);
        return [.. (container.PortMappings ?? []).Where(p => p.ContainerPort is > 0).Select(p => new BindingRecord(
            "0.0.0.0", p.ContainerPort!.Value, p.HostPort is > 0 ? p.HostPort.Value : p.ContainerPort.Value, p.EffectiveProtocol))];
    }

    /// <summary>ECS's container labels over the definition's dockerLabels: ours win, so a definition cannot disown a container.</summary>
    private static Dictionary<string, string> Labels(
        TaskDefinition definition, ContainerDefinition container, string taskArn, string clusterArn, string? containerInstanceArn)
    {
        var labels = new Dictionary<string, string>(container.DockerLabels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [TaskArnLabel] = taskArn,
            [ContainerNameLabel] = container.Name ?? "",
            [FamilyLabel] = definition.Family,
            [RevisionLabel] = definition.Revision.ToString(CultureInfo.InvariantCulture),
            [ClusterLabel] = Arns.ShortName(clusterArn, "cluster"),
        };
        if (!string.IsNullOrEmpty(containerInstanceArn))
        {
            labels[ContainerInstanceLabel] = containerInstanceArn;
        }
        else
        {
            labels.Remove(ContainerInstanceLabel);
        }

        return labels;
    }

    private static (List<string> Binds, List<VolumeSpec> Volumes) Mounts(TaskDefinition definition, ContainerDefinition container, string taskArn)
    {
        var binds = new List<string>();
        var volumes = new List<VolumeSpec>();
        if (container.MountPoints is not { Count: > 0 } mountPoints)
        {
            return (binds, volumes);
        }

        var resolved = TaskVolumes.Resolve(definition, taskArn);
        foreach (var mount in mountPoints)
        {
            if (mount.SourceVolume is null || mount.ContainerPath is null || !resolved.TryGetValue(mount.SourceVolume, out var volume))
            {
                continue;
            }

            var source = volume.HostPath ?? volume.Docker!.Name;
            binds.Add($"{source}:{mount.ContainerPath}{(mount.ReadOnly == true ? ":ro" : "")}");
            if (volume.Docker is { } docker && !volumes.Contains(docker))
            {
                volumes.Add(docker);
            }
        }

        return (binds, volumes);
    }

    private static int? Assigned(IReadOnlyList<PortAssignment> assignments, PortMapping mapping) =>
        assignments.FirstOrDefault(a => a.ContainerPort == mapping.ContainerPort && a.Protocol == mapping.EffectiveProtocol)?.HostPort;

    /// <summary>The driver's options with the secret options' values added (as the ECS agent does: HostConfig.LogConfig.Config).</summary>
    private static Dictionary<string, string> LogOptions(IReadOnlyDictionary<string, string>? options, IReadOnlyDictionary<string, string> secretOptions)
    {
        var all = new Dictionary<string, string>(options ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (name, value) in secretOptions)
        {
            all[name] = value;
        }

        return all;
    }

    private static List<string> Environment(
        IReadOnlyList<NameValuePair>? defined, IReadOnlyList<NameValuePair>? overridden, IReadOnlyList<string> agent,
        IReadOnlyList<KeyValuePair<string, string>> secrets)
    {
        var values = new List<KeyValuePair<string, string>>();
        var added = agent.Select(e => e.Split('=', 2)).Where(p => p.Length == 2).Select(p => new NameValuePair(p[0], p[1]));
        foreach (var pair in (defined ?? []).Concat(overridden ?? []).Concat(added).Concat(secrets.Select(s => new NameValuePair(s.Key, s.Value))))
        {
            if (string.IsNullOrEmpty(pair.Name))
            {
                continue;
            }

            var index = values.FindIndex(v => v.Key == pair.Name);
            var entry = new KeyValuePair<string, string>(pair.Name, pair.Value ?? "");
            if (index >= 0)
            {
                values[index] = entry;
            }
            else
            {
                values.Add(entry);
            }
        }

        return values.ConvertAll(v => $"{v.Key}={v.Value}");
    }

    private static long MiB(int? value) => value is > 0 ? value.Value * MiBytes : 0;

    private static string Sanitize(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-'));
}
