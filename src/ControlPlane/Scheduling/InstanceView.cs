using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// What a container instance has left, as DescribeContainerInstances reports it. Placement uses the richer
/// <see cref="InstanceSnapshot"/>.
/// </summary>
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
}
