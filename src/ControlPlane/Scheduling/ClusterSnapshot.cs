using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Orchestrator.ControlPlane.Networking;
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
    /// <summary>The instance snapshots <see cref="Of"/> built, to reuse while nothing they count has changed.</summary>
    private static readonly ConditionalWeakTable<InstanceRecord, BuiltInstance> Built = [];

    private readonly Dictionary<string, int> _byArnOrId;
    private readonly ConcurrentDictionary<string, AttributeColumn> _columns = new(StringComparer.Ordinal);

    public ClusterSnapshot(IEnumerable<InstanceSnapshot> instances, IEnumerable<SubnetSnapshot>? subnets = null)
    {
        Items = instances.OrderBy(i => i.Arn, StringComparer.Ordinal).ToArray();
        Subnets = [.. subnets ?? []];
        _byArnOrId = new Dictionary<string, int>(Items.Length * 2, StringComparer.Ordinal);
        for (var i = 0; i < Items.Length; i++)
        {
            _byArnOrId[Items[i].Arn] = i;
            _byArnOrId.TryAdd(Items[i].Id, i);
        }
    }

    public IReadOnlyList<InstanceSnapshot> Instances => Items;

    /// <summary>The subnets the instances' <see cref="InstanceSnapshot.SubnetIds"/> name, with their free addresses.</summary>
    public IReadOnlyList<SubnetSnapshot> Subnets { get; }

    /// <summary>The instances as an array, for the engine's indexed loops.</summary>
    internal InstanceSnapshot[] Items { get; }

    /// <summary>The instance with this ARN or container instance ID, or null.</summary>
    public InstanceSnapshot? Find(string arnOrId) => _byArnOrId.TryGetValue(arnOrId, out var i) ? Items[i] : null;

    /// <summary>The values of one attribute across the instances, built once per snapshot.</summary>
    internal AttributeColumn Column(string attributeName) =>
        _columns.GetOrAdd(attributeName, static (name, items) => AttributeColumn.Build(name, items), Items);

    public static ClusterSnapshot From(StateSnapshot state, string clusterName, Func<string, bool> isConnected)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(isConnected);
        return new ClusterSnapshot(
            state.InstancesIn(clusterName)
                .Where(i => i.Status != ContainerInstanceStatus.Inactive)
                .Select(i => Of(state, i, isConnected(i.Arn))),
            SubnetsOf(state));
    }

    /// <summary>The configured subnets with the addresses tasks hold now.</summary>
    public static IEnumerable<SubnetSnapshot> SubnetsOf(StateSnapshot state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Subnets.Count == 0)
        {
            return [];
        }

        var taken = state.Addresses.Keys.Select(a => Ipv4.TryParse(a, out var n) ? n : 0).ToHashSet();
        return state.Subnets.Select(s => SubnetSnapshot.Of(s, taken));
    }

    /// <summary>
    /// Registered capacity minus what the instance's unstopped tasks hold. Used ports are the reserved ones, the
    /// tasks' static host ports and the dynamic ones their containers are bound to; the dynamic range's free ports
    /// also leave out those tasks need and have not bound yet.
    /// </summary>
    /// <remarks>
    /// Remembered per instance record (a weak table: an entry goes with its record) and reused while the record, the
    /// instance's set of resource-holding tasks, its connection and the subnets are the very same objects. Every
    /// change to a task on the instance replaces that set (<see cref="StateSnapshot.With(TaskRecord)"/> removes and
    /// adds its ARN), so a reused snapshot always counts the current tasks. Without it each placement rebuilt every
    /// instance from every task in the cluster: O(tasks) per RunTask call (bench/scale.sh, issue 19).
    /// </remarks>
    public static InstanceSnapshot Of(StateSnapshot state, InstanceRecord instance, bool agentConnected)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(instance);
        var tasks = state.TasksOnInstance.GetValueOrDefault(instance.Arn);
        if (Built.TryGetValue(instance, out var built)
            && ReferenceEquals(built.Tasks, tasks) && built.AgentConnected == agentConnected && ReferenceEquals(built.Subnets, state.Subnets))
        {
            return built.Snapshot;
        }

        var snapshot = Build(state, instance, agentConnected);
        Built.AddOrUpdate(instance, new BuiltInstance(tasks, agentConnected, state.Subnets, snapshot));
        return snapshot;
    }

    private static InstanceSnapshot Build(StateSnapshot state, InstanceRecord instance, bool agentConnected)
    {
        var registered = instance.Registered;
        var cpu = registered.Cpu;
        var memory = registered.MemoryMiB;
        var tcp = new HashSet<int>(registered.ReservedTcpPorts);
        var udp = new HashSet<int>(registered.ReservedUdpPorts);
        var heldGpus = new HashSet<string>(StringComparer.Ordinal);
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        int tasks = 0, awsvpcTasks = 0, unboundTcp = 0, unboundUdp = 0;
        foreach (var task in state.TasksOn(instance.Arn))
        {
            var reserved = task.Reserved;
            cpu -= reserved.Cpu;
            memory -= reserved.MemoryMiB;
            tcp.UnionWith(reserved.TcpPorts);
            udp.UnionWith(reserved.UdpPorts);
            var bound = DynamicBindings(task);
            tcp.UnionWith(bound.Tcp);
            udp.UnionWith(bound.Udp);
            unboundTcp += Math.Max(0, reserved.DynamicTcpPorts - bound.Tcp.Count);
            unboundUdp += Math.Max(0, reserved.DynamicUdpPorts - bound.Udp.Count);
            heldGpus.UnionWith(task.Task.Containers.SelectMany(c => c.GpuIds ?? []));
            awsvpcTasks += reserved.UsesTaskEni ? 1 : 0;
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

        var snapshot = new InstanceSnapshot
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
            FreeGpuIds = [.. registered.GpuIds.Where(id => !heldGpus.Contains(id))],
            FreeTaskEniSlots = Math.Max(0, registered.AwsvpcTaskLimit - awsvpcTasks),
            TaskEniLimit = registered.AwsvpcTaskLimit,
            FreeDynamicTcpPorts = FreeInRange(registered, tcp, unboundTcp),
            FreeDynamicUdpPorts = FreeInRange(registered, udp, unboundUdp),
            DynamicPortRange = registered.HasDynamicPortRange ? $"{registered.DynamicPortFirst}-{registered.DynamicPortLast}" : null,
            RunningTasksCount = tasks,
            TaskGroups = groups,
        };
        return snapshot with
        {
            SubnetIds = [.. state.Subnets.Where(s => SubnetCoverage.Serves(s, instance.ClusterName, snapshot)).Select(s => s.Id)],
        };
    }

    /// <summary>The host ports a task's containers are bound to that are not its static ones: those the agent picked.</summary>
    private static (HashSet<int> Tcp, HashSet<int> Udp) DynamicBindings(TaskRecord task)
    {
        var (tcp, udp) = (new HashSet<int>(), new HashSet<int>());
        if (task.Reserved.DynamicTcpPorts + task.Reserved.DynamicUdpPorts == 0)
        {
            return (tcp, udp);
        }

        foreach (var binding in task.Task.Containers.SelectMany(c => c.NetworkBindings))
        {
            if (binding.HostPort is not (> 0 and var port))
            {
                continue;
            }

            if (binding.Protocol == "udp")
            {
                if (!task.Reserved.UdpPorts.Contains(port))
                {
                    udp.Add(port);
                }
            }
            else if (!task.Reserved.TcpPorts.Contains(port))
            {
                tcp.Add(port);
            }
        }

        return (tcp, udp);
    }

    /// <summary>The ports of the dynamic range that are not used and not owed to a task yet; unlimited when the agent gave no range.</summary>
    private static int FreeInRange(HostCapacity registered, HashSet<int> used, int owed)
    {
        if (!registered.HasDynamicPortRange)
        {
            return InstanceSnapshot.Unlimited;
        }

        var size = registered.DynamicPortLast - registered.DynamicPortFirst + 1;
        var taken = used.Count(p => p >= registered.DynamicPortFirst && p <= registered.DynamicPortLast);
        return Math.Max(0, size - taken - owed);
    }

    private sealed record BuiltInstance(ImmutableHashSet<string>? Tasks, bool AgentConnected, IReadOnlyList<Subnet> Subnets, InstanceSnapshot Snapshot);
}
