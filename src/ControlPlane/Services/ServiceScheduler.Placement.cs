using Orchestrator.ControlPlane.Application;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

public sealed partial class ServiceScheduler
{
    /// <summary>Places and creates a launch's tasks, spreading them over instances (fewest of the service first).</summary>
    private List<TaskRecord> Launch(StateTransaction tx, ClusterRecord cluster, ServiceRecord service, ServiceLaunch launch, List<string> messages)
    {
        var created = new List<TaskRecord>();
        if (tx.State.TaskDefinitionByArn(launch.TaskDefinitionArn) is not { } definition)
        {
            return created;
        }

        var needs = TaskRequirements.Of(definition);
        var candidates = tx.State.InstancesIn(cluster.Name)
            .Where(i => i.Status == ContainerInstanceStatus.Active && (launch.InstanceArn is null || i.Arn == launch.InstanceArn))
            .Select(i => InstanceView.Of(tx.State, i, sessions.IsConnected(i.Arn)))
            .ToList();
        if (candidates.Count == 0)
        {
            messages.Add(ServiceMessages.NoInstances(service.Name));
            return created;
        }

        var perInstance = tx.State.TasksOf(service).Where(t => t.Task.LastStatus != TaskStatus.Stopped)
            .GroupBy(t => t.Task.ContainerInstanceArn ?? "").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        for (var n = 0; n < launch.Count; n++)
        {
            var fitting = candidates.Where(c => PlacementEngine.Refusal(c, needs) is null)
                .OrderBy(c => perInstance.GetValueOrDefault(c.Arn))
                .ThenBy(c => c.Arn, StringComparer.Ordinal)
                .FirstOrDefault();
            if (fitting is null)
            {
                messages.Add(UnableToPlace(service.Name, candidates, needs));
                break;
            }

            var task = lifecycle.Create(cluster, definition, needs, fitting.Arn, new TaskLaunch(service.TaskGroup, launch.DeploymentId, service.LaunchType));
            tx.Put(task);
            created.Add(task);
            candidates[candidates.IndexOf(fitting)] = fitting.Take(needs);
            perInstance[fitting.Arn] = perInstance.GetValueOrDefault(fitting.Arn) + 1;
        }

        return created;
    }

    /// <summary>ECS's "unable to place" event, naming the instance that came closest and what it lacked.</summary>
    private static string UnableToPlace(string service, IReadOnlyList<InstanceView> candidates, TaskRequirements needs)
    {
        var refusals = candidates.Select(c => PlacementEngine.Refusal(c, needs)!).ToList();
        var closest = refusals.OrderBy(r => r.Reason switch
        {
            PlacementReasons.Ports or PlacementReasons.PortsUdp => 0,
            PlacementReasons.Memory => 1,
            PlacementReasons.Cpu => 2,
            _ => 3,
        }).First();
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
