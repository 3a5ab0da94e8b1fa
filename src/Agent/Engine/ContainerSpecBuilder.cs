using System.Globalization;
using System.Security.Cryptography;
using Orchestrator.Agent.Docker;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

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
        string? containerInstanceArn)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(container);
        var name = container.Name ?? "";
        var containerOverride = overrides?.ContainerOverrides?.FirstOrDefault(o => o.Name == name);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [TaskArnLabel] = taskArn,
            [ContainerNameLabel] = name,
            [FamilyLabel] = definition.Family,
            [RevisionLabel] = definition.Revision.ToString(CultureInfo.InvariantCulture),
            [ClusterLabel] = Arns.ShortName(clusterArn, "cluster"),
        };
        if (!string.IsNullOrEmpty(containerInstanceArn))
        {
            labels[ContainerInstanceLabel] = containerInstanceArn;
        }

        return new ContainerSpec
        {
            Name = dockerName,
            Image = container.Image ?? "",
            EntryPoint = container.EntryPoint is { Count: > 0 } entryPoint ? entryPoint : null,
            Command = containerOverride?.Command ?? (container.Command is { Count: > 0 } command ? command : null),
            Environment = Environment(container.Environment, containerOverride?.Environment),
            Labels = labels,
            CpuShares = Math.Max(MinimumCpuShares, container.Cpu),
            MemoryBytes = MiB(container.Memory),
            MemoryReservationBytes = MiB(container.MemoryReservation),
            NetworkMode = definition.EffectiveNetworkMode,
            Ports = [.. (container.PortMappings ?? []).Where(p => p.ContainerPort is > 0).Select(p => new PortSpec(
                p.ContainerPort!.Value,
                p.HostPort is > 0 ? p.HostPort : null,
                p.EffectiveProtocol))],
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

    private static List<string> Environment(IReadOnlyList<NameValuePair>? defined, IReadOnlyList<NameValuePair>? overridden)
    {
        var values = new List<KeyValuePair<string, string>>();
        foreach (var pair in (defined ?? []).Concat(overridden ?? []))
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

    private static long MiB(int? value) => value is > 0 ? value.Value * 1024L * 1024L : 0;

    private static string Sanitize(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-'));
}
