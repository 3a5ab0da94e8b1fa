using Orchestrator.ControlPlane.Application;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

public sealed partial class ServiceScheduler
{
    /// <summary>
    /// Places and creates a launch's tasks with the placement engine: the service's constraints (and the task
    /// definition's) and strategies — by default spread over zones, then instances — counting the service's tasks.
    /// A DAEMON launch goes to its one instance.
    /// </summary>
    private List<TaskRecord> Launch(StateTransaction tx, ClusterRecord cluster, ServiceRecord service, ServiceLaunch launch, List<string> messages)
    {
        var created = new List<TaskRecord>();
        if (tx.State.TaskDefinitionByArn(launch.TaskDefinitionArn) is not { } definition)
        {
            return created;
        }

        var snapshot = ClusterSnapshot.From(tx.State, cluster.Name, sessions.IsAvailable);
        if (snapshot.Instances.Count == 0)
        {
            messages.Add(ServiceMessages.NoInstances(service.Name));
            return created;
        }

        var request = new PlacementRequest(TaskRequirements.Of(definition), launch.Count, service.TaskGroup, Rules(service, definition), (ulong)Random.Shared.NextInt64());
        var result = launch.InstanceArn is { } instance
            ? PlacementEngine.PlaceOn(snapshot, request, [instance])
            : PlacementEngine.Place(snapshot, request);
        var failures = new List<PlacementFailure>();
        foreach (var instanceArn in result.InstanceArns)
        {
            var (assignment, failure) = TaskResources.Assign(tx.State, instanceArn, definition, request.Needs, request.Subnets);
            if (failure is not null)
            {
                failures.Add(failure);
                continue;
            }

            var task = lifecycle.Create(
                cluster, definition, request.Needs, instanceArn, new TaskLaunch(service.TaskGroup, launch.DeploymentId, service.LaunchType), assignment);
            tx.Put(task);
            created.Add(task);
        }

        if (!result.IsComplete)
        {
            messages.Add(UnableToPlace(service.Name, result));
        }
        else if (failures.Count > 0)
        {
            messages.Add(UnableToPlace(service.Name, result with
            {
                Unplaced = [new UnplacedTask(0, failures[0].Reason, failures[0].Detail, [])],
                InstanceFailures = failures,
            }));
        }

        return created;
    }

    /// <summary>The service's placement rules; REPLICA services without strategies spread over zones, then instances.</summary>
    private static PlacementRules Rules(ServiceRecord service, TaskDefinition definition)
    {
        var rules = PlacementValidation.Validate([.. definition.PlacementConstraints ?? [], .. service.PlacementConstraints], service.PlacementStrategy);
        return rules.Strategies.Count == 0 && !service.IsDaemon ? rules with { Strategies = PlacementRules.ServiceDefaultStrategies } : rules;
    }

    /// <summary>Whether a DAEMON service wants a task on the instance: ACTIVE, connected, meeting every memberOf constraint.</summary>
    private static bool IsEligible(ServiceRecord service, TaskDefinition? definition, InstanceSnapshot instance)
    {
        if (instance.Status != ContainerInstanceStatus.Active || !instance.AgentConnected)
        {
            return false;
        }

        var constraints = PlacementValidation.ValidateConstraints([.. definition?.PlacementConstraints ?? [], .. service.PlacementConstraints]);
        return constraints.OfType<MemberOfConstraint>().All(c => c.Matches(instance));
    }

    /// <summary>ECS's "unable to place" event, naming the instance that came closest and what it lacked.</summary>
    private static string UnableToPlace(string service, PlacementResult result)
    {
        var unplaced = result.Unplaced[0];
        var closest = result.InstanceFailures.FirstOrDefault(f => f.Reason == unplaced.Reason) ?? result.InstanceFailures.FirstOrDefault();
        if (closest is null)
        {
            return ServiceMessages.NoInstances(service);
        }

        var problem = closest.Reason switch
        {
            PlacementReasons.Memory => "has insufficient memory available",
            PlacementReasons.Cpu => "has insufficient CPU units available",
            PlacementReasons.Ports or PlacementReasons.PortsUdp => "is already using a port required by your task",
            _ => $"encountered error \"{closest.Reason}\"",
        };
        return ServiceMessages.UnableToPlace(service, closest.InstanceArn[(closest.InstanceArn.LastIndexOf('/') + 1)..], problem);
    }
}
