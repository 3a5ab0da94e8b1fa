using System.Collections.Concurrent;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// The instances of one cluster that placement may consider, in ARN order, as of one <see cref="StateSnapshot"/>.
/// INACTIVE (deregistered) instances are left out; DRAINING ones stay so that they can be named in failures.
/// Immutable; attribute columns are indexed on first use and shared by every placement over the snapshot.
/// </summary>
public sealed class ClusterSnapshot
{
    private readonly Dictionary<string, int> byArnOrId;
    private readonly ConcurrentDictionary<string, AttributeColumn> columns = new(StringComparer.Ordinal);

    public ClusterSnapshot(IEnumerable<InstanceSnapshot> instances)
    {
        Items = instances.OrderBy(i => i.Arn, StringComparer.Ordinal).ToArray();
        byArnOrId = new Dictionary<string, int>(Items.Length * 2, StringComparer.Ordinal);
        for (var i = 0; i < Items.Length; i++)
        {
            byArnOrId[Items[i].Arn] = i;
            byArnOrId.TryAdd(Items[i].Id, i);
        }
    }

    public IReadOnlyList<InstanceSnapshot> Instances => Items;

    /// <summary>The instances as an array, for the engine's indexed loops.</summary>
    internal InstanceSnapshot[] Items { get; }

    /// <summary>The instance with this ARN or container instance ID, or null.</summary>
    public InstanceSnapshot? Find(string arnOrId) => byArnOrId.TryGetValue(arnOrId, out var i) ? Items[i] : null;

    /// <summary>The values of one attribute across the instances, built once per snapshot.</summary>
    internal AttributeColumn Column(string attributeName) =>
        columns.GetOrAdd(attributeName, static (name, items) => AttributeColumn.Build(name, items), Items);

    public static ClusterSnapshot From(StateSnapshot state, string clusterName, Func<string, bool> isConnected)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(isConnected);
        return new ClusterSnapshot(state.InstancesIn(clusterName)
            .Where(i => i.Status != ContainerInstanceStatus.Inactive)
            .Select(i => Of(state, i, isConnected(i.Arn))));
    }

    /// <summary>Registered capacity minus what the instance's unstopped tasks hold; reserved ports count as used.</summary>
    public static InstanceSnapshot Of(StateSnapshot state, InstanceRecord instance, bool agentConnected)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(instance);
        var cpu = instance.Registered.Cpu;
        var memory = instance.Registered.MemoryMiB;
        var tcp = new HashSet<int>(instance.Registered.ReservedTcpPorts);
        var udp = new HashSet<int>(instance.Registered.ReservedUdpPorts);
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        var tasks = 0;
        foreach (var task in state.TasksOn(instance.Arn))
        {
            cpu -= task.Reserved.Cpu;
            memory -= task.Reserved.MemoryMiB;
            tcp.UnionWith(task.Reserved.TcpPorts);
            udp.UnionWith(task.Reserved.UdpPorts);
            tasks++;
            if (task.Task.Group is { } group)
            {
                groups[group] = groups.GetValueOrDefault(group) + 1;
            }
        }

        var attributes = new Dictionary<string, string?>(instance.Attributes.Count, StringComparer.Ordinal);
        foreach (var attribute in instance.EffectiveAttributes)
        {
            attributes[attribute.Name] = attribute.Value;
        }

        return new InstanceSnapshot
        {
            Arn = instance.Arn,
            Id = instance.Id,
            Ec2InstanceId = instance.Ec2InstanceId,
            Status = instance.Status,
            AgentConnected = agentConnected,
            RegisteredAt = instance.RegisteredAt,
            AgentVersion = instance.VersionInfo?.AgentVersion,
            Attributes = attributes,
            RemainingCpu = cpu,
            RemainingMemoryMiB = memory,
            UsedTcpPorts = tcp,
            UsedUdpPorts = udp,
            FreeGpuIds = [], // instances do not register GPUs yet: registered GPU ids minus those the tasks hold
            FreeTaskEniSlots = InstanceSnapshot.Unlimited, // no awsvpc slot limit until trunking exists
            RunningTasksCount = tasks,
            TaskGroups = groups,
        };
    }
}
