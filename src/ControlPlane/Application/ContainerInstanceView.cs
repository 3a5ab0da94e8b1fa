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
        List<Resource> resources =
        [
            Resource.Integer(ResourceNames.Cpu, registered.Cpu),
            Resource.Integer(ResourceNames.Memory, registered.MemoryMiB),
            Resource.StringSet(ResourceNames.Ports, registered.ReservedTcpPorts),
            Resource.StringSet(ResourceNames.PortsUdp, registered.ReservedUdpPorts),
        ];
        if (registered.GpuIds.Count > 0)
        {
            resources.Add(Resource.StringSet(ResourceNames.Gpu, registered.GpuIds));
        }

        if (registered.HasDynamicPortRange)
        {
            var size = registered.DynamicPortLast - registered.DynamicPortFirst + 1;
            resources.Add(Resource.Integer(ResourceNames.DynamicPorts, size));
            resources.Add(Resource.Integer(ResourceNames.DynamicPortsUdp, size));
        }

        if (registered.AwsvpcTaskLimit > 0)
        {
            resources.Add(Resource.Integer(ResourceNames.AwsvpcTasks, registered.AwsvpcTaskLimit));
        }

        return resources;
    }

    /// <summary>
    /// What is left. PORTS and PORTS_UDP list every host port in use: the reserved ones, the tasks' static host ports
    /// and — unlike ECS, which leaves them out — the dynamic ones the tasks' containers are bound to.
    /// PORTS_DYNAMIC(_UDP) counts the dynamic ports still free, less those placed tasks have not bound yet.
    /// </summary>
    private static List<Resource> RemainingResources(HostCapacity registered, InstanceSnapshot view)
    {
        List<Resource> resources =
        [
            Resource.Integer(ResourceNames.Cpu, view.RemainingCpu),
            Resource.Integer(ResourceNames.Memory, view.RemainingMemoryMiB),
            Resource.StringSet(ResourceNames.Ports, view.UsedTcpPorts),
            Resource.StringSet(ResourceNames.PortsUdp, view.UsedUdpPorts),
        ];
        if (registered.GpuIds.Count > 0)
        {
            resources.Add(Resource.StringSet(ResourceNames.Gpu, view.FreeGpuIds));
        }

        if (registered.HasDynamicPortRange)
        {
            resources.Add(Resource.Integer(ResourceNames.DynamicPorts, view.FreeDynamicTcpPorts));
            resources.Add(Resource.Integer(ResourceNames.DynamicPortsUdp, view.FreeDynamicUdpPorts));
        }

        if (registered.AwsvpcTaskLimit > 0)
        {
            resources.Add(Resource.Integer(ResourceNames.AwsvpcTasks, view.FreeTaskEniSlots));
        }

        return resources;
    }
}
