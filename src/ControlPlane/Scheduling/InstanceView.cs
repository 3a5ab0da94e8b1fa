using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>A container instance as placement sees it: what it has left and whether it may take tasks.</summary>
public sealed record InstanceView(
    string Arn,
    string Status,
    bool AgentConnected,
    int RemainingCpu,
    int RemainingMemoryMiB,
    IReadOnlySet<int> UsedTcpPorts,
    IReadOnlySet<int> UsedUdpPorts)
{
    /// <summary>Registered capacity minus what the instance's unstopped tasks hold; reserved ports count as used.</summary>
    public static InstanceView Of(StateSnapshot state, InstanceRecord instance, bool agentConnected)
    {
        var cpu = instance.Registered.Cpu;
        var memory = instance.Registered.MemoryMiB;
        var tcp = new HashSet<int>(instance.Registered.ReservedTcpPorts);
        var udp = new HashSet<int>(instance.Registered.ReservedUdpPorts);
        foreach (var task in state.TasksOn(instance.Arn))
        {
            cpu -= task.Reserved.Cpu;
            memory -= task.Reserved.MemoryMiB;
            tcp.UnionWith(task.Reserved.TcpPorts);
            udp.UnionWith(task.Reserved.UdpPorts);
        }

        return new InstanceView(instance.Arn, instance.Status, agentConnected, cpu, memory, tcp, udp);
    }

    /// <summary>This instance after a task with <paramref name="needs"/> is placed on it.</summary>
    public InstanceView Take(TaskRequirements needs) => this with
    {
        RemainingCpu = RemainingCpu - needs.Cpu,
        RemainingMemoryMiB = RemainingMemoryMiB - needs.MemoryMiB,
        UsedTcpPorts = new HashSet<int>(UsedTcpPorts.Concat(needs.TcpPorts)),
        UsedUdpPorts = new HashSet<int>(UsedUdpPorts.Concat(needs.UdpPorts)),
    };
}
