using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

public sealed partial class EcsApi
{
    public Task<ListContainerInstancesResponse> ListContainerInstancesAsync(ListContainerInstancesRequest request, CancellationToken cancellationToken)
    {
        CheckMaxResults(request.MaxResults);
        CheckEnum(request.Status, "status", "ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED");
        var filter = request.Filter is { Length: > 0 } expression
            ? (PlacementValidation.ValidateConstraints([new PlacementConstraint(PlacementConstraintTypes.MemberOf, expression)])[0] as MemberOfConstraint)!
            : null;
        var state = store.Current;
        var cluster = ActiveCluster(state, request.Cluster);
        var instances = state.InstancesIn(cluster.Name)
            .Where(i => request.Status is null ? i.Status != ContainerInstanceStatus.Inactive : i.Status == request.Status)
            .Where(i => filter is null || filter.Matches(ClusterSnapshot.Of(state, i, sessions.IsConnected(i.Arn))));
        var (page, next) = Paging.Page(instances, i => i.Arn, request.NextToken, request.MaxResults);
        return Task.FromResult(new ListContainerInstancesResponse(page.Select(i => i.Arn).ToList(), next));
    }

    public Task<DescribeContainerInstancesResponse> DescribeContainerInstancesAsync(DescribeContainerInstancesRequest request, CancellationToken cancellationToken)
    {
        var references = request.ContainerInstances ?? [];
        if (references.Count is 0 or > 100)
        {
            throw EcsException.InvalidParameter("containerInstances must name between 1 and 100 container instances.");
        }

        var include = DescribeIncludes.Parse(request.Include, "TAGS", "CONTAINER_INSTANCE_HEALTH");
        var state = store.Current;
        var cluster = ActiveCluster(state, request.Cluster);
        var found = new List<ContainerInstance>();
        var failures = new List<Failure>();
        foreach (var reference in references)
        {
            var arn = InstanceArn(cluster, reference);
            if (state.Instance(arn) is { } instance && instance.ClusterName == cluster.Name)
            {
                found.Add(ToContainerInstance(state, instance, include));
            }
            else
            {
                failures.Add(new Failure(arn, "MISSING"));
            }
        }

        return Task.FromResult(new DescribeContainerInstancesResponse(found, failures));
    }

    /// <summary>ACTIVE or DRAINING. A DRAINING instance takes no new tasks; its service tasks are moved elsewhere.</summary>
    public Task<DescribeContainerInstancesResponse> UpdateContainerInstancesStateAsync(UpdateContainerInstancesStateRequest request, CancellationToken cancellationToken)
    {
        var references = request.ContainerInstances ?? [];
        if (references.Count is 0 or > 10)
        {
            throw EcsException.InvalidParameter("containerInstances must name between 1 and 10 container instances.");
        }

        if (request.Status is not (ContainerInstanceStatus.Active or ContainerInstanceStatus.Draining))
        {
            throw EcsException.InvalidParameter("status must be ACTIVE or DRAINING.");
        }

        return store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(tx.State, request.Cluster);
            var updated = new List<InstanceRecord>();
            var failures = new List<Failure>();
            foreach (var reference in references)
            {
                var arn = InstanceArn(cluster, reference);
                var instance = tx.State.Instance(arn);
                if (instance is null || instance.ClusterName != cluster.Name)
                {
                    failures.Add(new Failure(arn, "MISSING"));
                }
                else if (instance.Status is not (ContainerInstanceStatus.Active or ContainerInstanceStatus.Draining))
                {
                    failures.Add(new Failure(arn, instance.Status, $"A container instance that is {instance.Status} cannot change to {request.Status}."));
                }
                else
                {
                    var changed = instance.Status == request.Status ? instance : instance with { Status = request.Status, Version = instance.Version + 1 };
                    if (!ReferenceEquals(changed, instance))
                    {
                        tx.Put(changed);
                    }

                    updated.Add(changed);
                }
            }

            return new DescribeContainerInstancesResponse(updated.Select(i => ToContainerInstance(tx.State, i, DescribeIncludes.None)).ToList(), failures);
        }, cancellationToken);
    }

    /// <summary>
    /// Removes a container instance from its cluster (INACTIVE). With tasks still on it, only with <c>force</c>; its
    /// agent's session ends and the tasks it ran are no longer the cluster's.
    /// </summary>
    public async Task<ContainerInstanceResponse> DeregisterContainerInstanceAsync(DeregisterContainerInstanceRequest request, CancellationToken cancellationToken)
    {
        var instance = await store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(tx.State, request.Cluster);
            var arn = InstanceArn(cluster, request.ContainerInstance ?? throw EcsException.InvalidParameter("containerInstance is required."));
            var instance = tx.State.Instance(arn) is { } found && found.ClusterName == cluster.Name
                ? found
                : throw EcsException.InvalidParameter("The referenced container instance was not found.");
            if (instance.Status == ContainerInstanceStatus.Inactive)
            {
                return instance;
            }

            if (request.Force != true && tx.State.TasksOn(arn).Any())
            {
                throw EcsException.InvalidParameter("Found running tasks on the instance.");
            }

            var inactive = instance with { Status = ContainerInstanceStatus.Inactive, Version = instance.Version + 1 };
            tx.Put(inactive);
            // Its agent will not report again: addresses held for tasks it might still have run are given up.
            foreach (var task in tx.State.Tasks.Values.Where(t => t.AwaitingAgentStop && t.Task.ContainerInstanceArn == arn).ToList())
            {
                tx.Put(task with { AwaitingAgentStop = false });
            }

            return inactive;
        }, cancellationToken).ConfigureAwait(false);

        sessions.Disconnect(instance.Arn);
        return new ContainerInstanceResponse(ToContainerInstance(store.Current, instance, DescribeIncludes.None));
    }

    private ContainerInstance ToContainerInstance(StateSnapshot state, InstanceRecord instance, DescribeIncludes include)
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
            HealthStatus = include.Has("CONTAINER_INSTANCE_HEALTH") ? HealthOf(instance) : null,
        };
    }

    /// <summary>ECS's instance health from the agent's runtime reports: OK, IMPAIRED, or INSUFFICIENT_DATA while it is away.</summary>
    private ContainerInstanceHealthStatus HealthOf(InstanceRecord instance)
    {
        var now = clock.GetUtcNow();
        var status = sessions.RuntimeOf(instance.Arn) switch
        {
            null => ("INSUFFICIENT_DATA", (DateTimeOffset?)null),
            { Health: Contracts.Agent.RuntimeHealth.Impaired } runtime => ("IMPAIRED", runtime.Since),
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

    private string InstanceArn(ClusterRecord cluster, string reference) =>
        Arns.TryParse(reference, out _) ? reference : arns.ContainerInstance(cluster.Name, reference);
}
