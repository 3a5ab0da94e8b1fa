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
        var state = store.Current;
        var cluster = ActiveCluster(state, request.Cluster);
        var instances = state.InstancesIn(cluster.Name)
            .Where(i => request.Status is null ? i.Status != ContainerInstanceStatus.Inactive : i.Status == request.Status);
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

        var include = Include.Parse(request.Include, "TAGS", "CONTAINER_INSTANCE_HEALTH");
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

    private ContainerInstance ToContainerInstance(StateSnapshot state, InstanceRecord instance, Include include)
    {
        var view = InstanceView.Of(state, instance, sessions.IsConnected(instance.Arn));
        var tasks = state.TasksOn(instance.Arn).ToList();
        return new ContainerInstance
        {
            ContainerInstanceArn = instance.Arn,
            Ec2InstanceId = instance.Ec2InstanceId,
            Version = instance.Version,
            VersionInfo = instance.VersionInfo,
            RegisteredResources =
            [
                Resource.Integer(ResourceNames.Cpu, instance.Registered.Cpu),
                Resource.Integer(ResourceNames.Memory, instance.Registered.MemoryMiB),
                Resource.StringSet(ResourceNames.Ports, instance.Registered.ReservedTcpPorts),
                Resource.StringSet(ResourceNames.PortsUdp, instance.Registered.ReservedUdpPorts),
            ],
            RemainingResources =
            [
                Resource.Integer(ResourceNames.Cpu, view.RemainingCpu),
                Resource.Integer(ResourceNames.Memory, view.RemainingMemoryMiB),
                Resource.StringSet(ResourceNames.Ports, view.UsedTcpPorts),
                Resource.StringSet(ResourceNames.PortsUdp, view.UsedUdpPorts),
            ],
            Status = instance.Status,
            AgentConnected = view.AgentConnected,
            RunningTasksCount = tasks.Count(t => t.Task.LastStatus == TaskStatus.Running),
            PendingTasksCount = tasks.Count(t => t.Task.LastStatus is TaskStatus.Provisioning or TaskStatus.Pending),
            Attributes = instance.Attributes,
            RegisteredAt = instance.RegisteredAt,
            Tags = include.Has("TAGS") ? [] : null,
        };
    }

    private string InstanceArn(ClusterRecord cluster, string reference) =>
        Arns.TryParse(reference, out _) ? reference : arns.ContainerInstance(cluster.Name, reference);
}
