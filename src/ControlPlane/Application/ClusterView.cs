using System.Globalization;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

/// <summary>A cluster as ECS shows it: its record with the counts of its instances, tasks and services.</summary>
public static class ClusterView
{
    public static Cluster From(StateSnapshot state, ClusterRecord cluster, DescribeIncludes include)
    {
        var instances = state.InstancesIn(cluster.Name).Count(i => i.Status is ContainerInstanceStatus.Active or ContainerInstanceStatus.Draining);
        var tasks = state.TasksIn(cluster.Name).Where(t => t.Task.LastStatus != TaskStatus.Stopped).ToList();
        var running = tasks.Count(t => t.Task.LastStatus == TaskStatus.Running);
        var pending = tasks.Count(t => t.Task.LastStatus is TaskStatus.Provisioning or TaskStatus.Pending);
        return new Cluster
        {
            ClusterArn = cluster.Arn,
            ClusterName = cluster.Name,
            Status = cluster.Status,
            RegisteredContainerInstancesCount = instances,
            RunningTasksCount = running,
            PendingTasksCount = pending,
            ActiveServicesCount = state.ServicesIn(cluster.Name).Count(s => s.Status == ServiceStatus.Active),
            Statistics = include.Has("STATISTICS")
                ? [
                    new NameValuePair("runningEC2TasksCount", running.ToString(CultureInfo.InvariantCulture)),
                    new NameValuePair("pendingEC2TasksCount", pending.ToString(CultureInfo.InvariantCulture)),
                ]
                : [],
            Tags = include.Has("TAGS") ? state.TagsOf(cluster.Arn) : null,
            Settings = include.Has("SETTINGS") ? cluster.Settings : null,
            CapacityProviders = cluster.CapacityProviders,
            DefaultCapacityProviderStrategy = cluster.DefaultCapacityProviderStrategy,
        };
    }
}
