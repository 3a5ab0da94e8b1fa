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
