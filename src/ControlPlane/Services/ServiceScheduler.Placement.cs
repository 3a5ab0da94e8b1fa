using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

public sealed partial class ServiceScheduler
{
    /// <summary>
    /// What a launch of the plan asks the launcher for: the deployment's tasks placed by the service's constraints
    /// (and the task definition's) and strategies — by default spread over zones, then instances — counting the
    /// service's tasks; a DAEMON launch on its one instance. Null when the task definition is gone.
    /// </summary>
    private static LaunchRequest? Request(StateSnapshot state, ClusterRecord cluster, ServiceRecord service, ServiceLaunch launch)
    {
        if (state.TaskDefinitionByArn(launch.TaskDefinitionArn) is not { } definition)
        {
            return null;
        }

        var placement = new PlacementRequest(
            TaskRequirements.Of(definition), launch.Count, service.TaskGroup, Rules(service, definition), (ulong)Random.Shared.NextInt64());
        return new LaunchRequest(cluster, definition, placement, new TaskSettings(service.TaskGroup, launch.DeploymentId, service.LaunchType) { EnableExecuteCommand = service.EnableExecuteCommand })
        {
            OnInstances = launch.InstanceArn is { } instance ? [instance] : null,
        };
    }

    /// <summary>
    /// The launch requests of one planned launch: the one <see cref="Request"/> gives, or with a capacity provider
    /// strategy, one per provider that gets tasks — the split of all the service's live tasks by base and weight is
    /// the target, and the new tasks go where the live ones fall short of it (<see cref="CapacityStrategy.Next"/>).
    /// </summary>
    private static IEnumerable<LaunchRequest> Requests(StateSnapshot state, ClusterRecord cluster, ServiceRecord service, ServiceLaunch launch)
    {
        if (Request(state, cluster, service, launch) is not { } request)
        {
            return [];
        }

        if (service.CapacityProviderStrategy.Count == 0 || request.OnInstances is not null)
        {
            return [request];
        }

        var live = state.TasksOf(service)
            .Where(t => t.Task.LastStatus != TaskStatus.Stopped && t.Task.DesiredStatus == TaskStatus.Running && t.Task.CapacityProviderName is not null)
            .GroupBy(t => t.Task.CapacityProviderName!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var counts = CapacityStrategy.Next(CapacityReservation.Items(service.CapacityProviderStrategy), live, launch.Count);
        return CapacityLaunches.Split(state, request, service.CapacityProviderStrategy, counts);
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
