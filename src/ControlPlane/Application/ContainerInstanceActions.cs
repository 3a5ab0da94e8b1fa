using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Application.RequestChecks;
using static Orchestrator.ControlPlane.Application.ResourceReferences;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// ECS's container instance actions: ListContainerInstances, DescribeContainerInstances,
/// UpdateContainerInstancesState and DeregisterContainerInstance. Instances register through their agents.
/// </summary>
public sealed class ContainerInstanceActions(StateStore store, Arns arns, IAgentConnections sessions, TimeProvider clock)
{
    public Task<ListContainerInstancesResponse> ListContainerInstancesAsync(ListContainerInstancesRequest request, CancellationToken cancellationToken)
    {
        CheckMaxResults(request.MaxResults);
        CheckEnum(request.Status, "status", "ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED");
        var filter = request.Filter is { Length: > 0 } expression
            ? (PlacementValidation.ValidateConstraints([new PlacementConstraint(PlacementConstraintTypes.MemberOf, expression)])[0] as MemberOfConstraint)!
            : null;
        var state = store.Current;
        var cluster = ActiveCluster(arns, state, request.Cluster);
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
        var cluster = ActiveCluster(arns, state, request.Cluster);
        var found = new List<ContainerInstance>();
        var failures = new List<Failure>();
        foreach (var reference in references)
        {
            var arn = InstanceArn(arns, cluster, reference);
            if (state.Instance(arn) is { } instance && instance.ClusterName == cluster.Name)
            {
                found.Add(ContainerInstanceView.From(state, instance, include, sessions, clock));
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
            var cluster = ActiveCluster(arns, tx.State, request.Cluster);
            var updated = new List<InstanceRecord>();
            var failures = new List<Failure>();
            foreach (var reference in references)
            {
                var arn = InstanceArn(arns, cluster, reference);
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

            return new DescribeContainerInstancesResponse(updated.Select(i => ContainerInstanceView.From(tx.State, i, DescribeIncludes.None, sessions, clock)).ToList(), failures);
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
            var cluster = ActiveCluster(arns, tx.State, request.Cluster);
            var arn = InstanceArn(arns, cluster, request.ContainerInstance ?? throw EcsException.InvalidParameter("containerInstance is required."));
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
        return new ContainerInstanceResponse(ContainerInstanceView.From(store.Current, instance, DescribeIncludes.None, sessions, clock));
    }
}
