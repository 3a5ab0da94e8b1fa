namespace Orchestrator.Ecs.Model;

/// <summary>
/// What a task needs from a container instance: CPU units, memory in MiB and the static host ports it binds. Task
/// level cpu/memory win; otherwise the containers' sum (memory: the hard limit, else the reservation), as ECS does.
/// </summary>
public sealed record TaskRequirements(int Cpu, int MemoryMiB, IReadOnlyList<int> TcpPorts, IReadOnlyList<int> UdpPorts)
{
    /// <summary>GPUs the task needs (the sum of its containers' <c>resourceRequirements</c> of type GPU).</summary>
    public int GpuCount { get; init; }

    /// <summary>Whether the task takes one of the instance's awsvpc task slots (networkMode <c>awsvpc</c>).</summary>
    public bool UsesTaskEni { get; init; }

    /// <summary>Bridge TCP port mappings without a host port: each takes one port of the instance's dynamic range.</summary>
    public int DynamicTcpPorts { get; init; }

    /// <summary>The same for UDP; the agent counts the two protocols apart.</summary>
    public int DynamicUdpPorts { get; init; }

    public static TaskRequirements Of(TaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var containers = definition.ContainerDefinitions;
        var cpu = int.TryParse(definition.Cpu, out var taskCpu) ? taskCpu : containers.Sum(c => c.Cpu);
        var memory = int.TryParse(definition.Memory, out var taskMemory)
            ? taskMemory
            : containers.Sum(c => c.Memory ?? c.MemoryReservation ?? 0);

        var tcp = new List<int>();
        var udp = new List<int>();
        int dynamicTcp = 0, dynamicUdp = 0;
        var mode = definition.EffectiveNetworkMode;
        foreach (var mapping in containers.SelectMany(c => c.PortMappings ?? []))
        {
            var hostPort = mode switch
            {
                NetworkModes.Bridge => mapping.HostPort ?? 0,
                NetworkModes.Host => mapping.ContainerPort ?? -1,
                _ => -1, // awsvpc tasks have their own address; none has no ports
            };
            var isUdp = mapping.EffectiveProtocol == "udp";
            if (hostPort > 0)
            {
                (isUdp ? udp : tcp).Add(hostPort);
            }
            else if (hostPort == 0 && isUdp)
            {
                dynamicUdp++;
            }
            else if (hostPort == 0)
            {
                dynamicTcp++;
            }
        }

        return new TaskRequirements(cpu, memory, tcp, udp)
        {
            GpuCount = containers.Sum(c => c.GpuCount),
            UsesTaskEni = mode == NetworkModes.Awsvpc,
            DynamicTcpPorts = dynamicTcp,
            DynamicUdpPorts = dynamicUdp,
        };
    }
}
