using Orchestrator.ControlPlane.Scheduling.Filters;

namespace Orchestrator.ControlPlane.Scheduling.Engine;

/// <summary>
/// The mutable working copy of one request's placement, as flat arrays indexed like the snapshot's instances.
/// Every task of a request is the same, so whether an instance can take the next one changes only when a task is
/// placed on it: the filters run once per instance up front and then only on the instance just chosen, and the
/// instances still eligible are kept in a dense list for the strategies to scan.
/// </summary>
internal sealed class PlacementWorkspace
{
    private readonly InstanceSnapshot[] _instances;
    private readonly FilterChain _filters;
    private readonly AddressPools _pools;
    private readonly int[] _position; // index in eligible, or -1

    public PlacementWorkspace(ClusterSnapshot snapshot, PlacementRequest request, FilterChain filters, AddressPools pools)
    {
        _filters = filters;
        _pools = pools;
        Needs = request.Needs;
        _instances = snapshot.Items;
        var n = _instances.Length;
        Cpu = new int[n];
        MemoryMiB = new int[n];
        Gpus = new int[n];
        TaskEniSlots = new int[n];
        DynamicTcpPorts = new int[n];
        DynamicUdpPorts = new int[n];
        Placed = new int[n];
        GroupTasks = new int[n];
        Eligible = new int[n];
        _position = new int[n];
        for (var i = 0; i < n; i++)
        {
            var instance = _instances[i];
            Cpu[i] = instance.RemainingCpu;
            MemoryMiB[i] = instance.RemainingMemoryMiB;
            Gpus[i] = instance.FreeGpuIds.Count;
            TaskEniSlots[i] = instance.FreeTaskEniSlots;
            DynamicTcpPorts[i] = instance.FreeDynamicTcpPorts;
            DynamicUdpPorts[i] = instance.FreeDynamicUdpPorts;
            GroupTasks[i] = instance.GroupCount(request.Group);
            _position[i] = -1;
            if (filters.Passes(State(i)))
            {
                _position[i] = EligibleCount;
                Eligible[EligibleCount++] = i;
            }
        }
    }

    public Ecs.Model.TaskRequirements Needs { get; }
    public int[] Cpu { get; }
    public int[] MemoryMiB { get; }
    public int[] Gpus { get; }
    public int[] TaskEniSlots { get; }
    public int[] DynamicTcpPorts { get; }
    public int[] DynamicUdpPorts { get; }
    public int[] Placed { get; }
    /// <summary>Tasks of the request's group per instance, this request's included.</summary>
    public int[] GroupTasks { get; }
    /// <summary>Indexes of the instances that can take the next task; the first <see cref="EligibleCount"/> are valid.</summary>
    public int[] Eligible { get; }
    public int EligibleCount { get; private set; }

    public IReadOnlyList<InstanceSnapshot> Instances => _instances;

    public InstanceState State(int i) =>
        new(i, _instances[i], Cpu[i], MemoryMiB[i], Gpus[i], TaskEniSlots[i], Placed[i], GroupTasks[i], DynamicTcpPorts[i], DynamicUdpPorts[i]);

    /// <summary>
    /// Takes one task's resources from instance <paramref name="i"/> — CPU, memory, ports, its GPUs (the next free
    /// ones in the instance's order) and an address — and re-checks the instance for the next task.
    /// </summary>
    public TaskPlacement Place(int i)
    {
        Cpu[i] -= Needs.Cpu;
        MemoryMiB[i] -= Needs.MemoryMiB;
        var freeGpus = _instances[i].FreeGpuIds;
        var gpuIds = Needs.GpuCount == 0 ? [] : freeGpus.Skip(freeGpus.Count - Gpus[i]).Take(Needs.GpuCount).ToArray();
        Gpus[i] -= Needs.GpuCount;
        if (Needs.UsesTaskEni && TaskEniSlots[i] != InstanceSnapshot.Unlimited)
        {
            TaskEniSlots[i]--;
        }

        if (DynamicTcpPorts[i] != InstanceSnapshot.Unlimited)
        {
            DynamicTcpPorts[i] -= Needs.DynamicTcpPorts;
        }

        if (DynamicUdpPorts[i] != InstanceSnapshot.Unlimited)
        {
            DynamicUdpPorts[i] -= Needs.DynamicUdpPorts;
        }

        Placed[i]++;
        GroupTasks[i]++;
        var (address, subnetEmptied) = Needs.UsesTaskEni ? _pools.Take(i) : (null, false);
        if (!_filters.Passes(State(i)))
        {
            Remove(i);
        }

        if (subnetEmptied)
        {
            // Addresses are shared: the subnet just emptied may have been the last one of other instances too.
            for (var at = EligibleCount - 1; at >= 0; at--)
            {
                if (!_filters.Passes(State(Eligible[at])))
                {
                    Remove(Eligible[at]);
                }
            }
        }

        return new TaskPlacement(_instances[i].Arn, gpuIds, address);
    }

    /// <summary>Swaps the last eligible instance into <paramref name="i"/>'s slot: order within the list does not decide ties.</summary>
    private void Remove(int i)
    {
        var at = _position[i];
        if (at < 0)
        {
            return;
        }

        var last = Eligible[--EligibleCount];
        Eligible[at] = last;
        _position[last] = at;
        _position[i] = -1;
    }
}
