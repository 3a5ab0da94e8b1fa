using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

/// <summary>A container instance as ECS shows it: its record with the resources left, its tasks and its agent's health.</summary>
public static class ContainerInstanceView
{
    public static ContainerInstance From(StateSnapshot state, InstanceRecord instance, DescribeIncludes include, IAgentConnections sessions, TimeProvider clock)
    {
        var view = ClusterSnapshot.Of(state, instance, sessions.IsConnected(instance.Arn));
        var tasks = state.TasksOn(instance.Arn).ToList();
        return new ContainerInstance
        {
            ContainerInstanceArn = instance.Arn,
            Ec2InstanceId = instance.Ec2InstanceId,
            Version = instance.Version,
            VersionInfo = instance.VersionInfo,
            RegisteredResources = RegisteredResources(instance.Registered),
            RemainingResources = RemainingResources(instance.Registered, view),
            Status = instance.Status,
            AgentConnected = view.AgentConnected,
            RunningTasksCount = tasks.Count(t => t.Task.LastStatus == TaskStatus.Running),
            PendingTasksCount = tasks.Count(t => t.Task.LastStatus is TaskStatus.Provisioning or TaskStatus.Pending),
            Attributes = instance.EffectiveAttributes,
            RegisteredAt = instance.RegisteredAt,
            Tags = include.Has("TAGS") ? state.TagsOf(instance.Arn) : null,
            HealthStatus = include.Has("CONTAINER_INSTANCE_HEALTH") ? HealthOf(instance, sessions, clock) : null,
        };
    }

    /// <summary>ECS's instance health from the agent's runtime reports: OK, IMPAIRED, or INSUFFICIENT_DATA while it is away.</summary>
    private static ContainerInstanceHealthStatus HealthOf(InstanceRecord instance, IAgentConnections sessions, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var status = sessions.RuntimeOf(instance.Arn) switch
        {
            null => ("INSUFFICIENT_DATA", (DateTimeOffset?)null),
            { Impaired: true } runtime => ("IMPAIRED", runtime.Since),
            var runtime => ("OK", runtime.Value.Since),
        };
        return new ContainerInstanceHealthStatus(status.Item1, [new InstanceHealthCheckResult("CONTAINER_RUNTIME", status.Item1, now, status.Item2)]);
    }

    /// <summary>
    /// ECS's four (CPU, MEMORY, PORTS and PORTS_UDP with the reserved ports), then what this project adds: GPU (the
    /// GPU IDs, as ECS shows GPU instances), PORTS_DYNAMIC / PORTS_DYNAMIC_UDP (the size of the agent's dynamic port
    /// range) and AWSVPC_TASKS (how many awsvpc tasks the host runs at once), each only when the host has it.
    /// </summary>
    private static List<Resource> RegisteredResources(HostCapacity registered)
    {
        var dynamicPorts = registered.DynamicPortLast - registered.DynamicPortFirst + 1;
        return Resources(registered, new ResourceAmounts(
            registered.Cpu, registered.MemoryMiB, registered.ReservedTcpPorts, registered.ReservedUdpPorts, registered.GpuIds,
            dynamicPorts, dynamicPorts, registered.AwsvpcTaskLimit));
    }

    /// <summary>
    /// What is left. PORTS and PORTS_UDP list every host port in use: the reserved ones, the tasks' static host ports
    /// and — unlike ECS, which leaves them out — the dynamic ones the tasks' containers are bound to.
    /// PORTS_DYNAMIC(_UDP) counts the dynamic ports still free, less those placed tasks have not bound yet.
    /// </summary>
    private static List<Resource> RemainingResources(HostCapacity registered, InstanceSnapshot view) =>
        Resources(registered, new ResourceAmounts(
            view.RemainingCpu, view.RemainingMemoryMiB, view.UsedTcpPorts, view.UsedUdpPorts, view.FreeGpuIds,
            view.FreeDynamicTcpPorts, view.FreeDynamicUdpPorts, view.FreeTaskEniSlots));

    /// <summary>ECS's four resources, then GPU, the dynamic ports and the awsvpc slots for hosts that offer them.</summary>
    private static List<Resource> Resources(HostCapacity registered, ResourceAmounts amounts)
    {
        List<Resource> resources =
        [
            Resource.Integer(ResourceNames.Cpu, amounts.Cpu),
            Resource.Integer(ResourceNames.Memory, amounts.MemoryMiB),
            Resource.StringSet(ResourceNames.Ports, amounts.TcpPorts),
            Resource.StringSet(ResourceNames.PortsUdp, amounts.UdpPorts),
        ];
        if (registered.GpuIds.Count > 0)
        {
            resources.Add(Resource.StringSet(ResourceNames.Gpu, amounts.GpuIds));
        }

        if (registered.HasDynamicPortRange)
        {
            resources.Add(Resource.Integer(ResourceNames.DynamicPorts, amounts.DynamicTcpPorts));
            resources.Add(Resource.Integer(ResourceNames.DynamicPortsUdp, amounts.DynamicUdpPorts));
        }

        if (registered.AwsvpcTaskLimit > 0)
        {
            resources.Add(Resource.Integer(ResourceNames.AwsvpcTasks, amounts.AwsvpcTasks));
        }

        return resources;
    }

    private sealed record ResourceAmounts(
        int Cpu, int MemoryMiB, IEnumerable<int> TcpPorts, IEnumerable<int> UdpPorts, IEnumerable<string> GpuIds, int DynamicTcpPorts, int DynamicUdpPorts, int AwsvpcTasks);
}
