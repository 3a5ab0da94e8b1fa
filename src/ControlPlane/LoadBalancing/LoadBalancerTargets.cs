using Orchestrator.ControlPlane.Discovery;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.LoadBalancing;

/// <summary>One target of a target group: a task's container port, reached at a host address and port.</summary>
public sealed record BalancerTarget(string TaskArn, string TaskId, string Address, int Port)
{
    public string Endpoint => $"{Address}:{Port}";
}

/// <summary>
/// Which tasks are targets of which target group, read from the state snapshot (pure). A task is a target of the
/// groups its ACTIVE service's <c>loadBalancers</c> name while it is RUNNING and desired RUNNING and, when its task
/// definition has a health check, HEALTHY (the rule service discovery follows, <see cref="ServiceDiscovery.Entries"/>);
/// it is reached at its container instance's address and the host port bound to the container port (awsvpc: its own
/// address and the container port). A task being stopped (desired STOPPED) is no target: it is draining.
/// </summary>
public static class LoadBalancerTargets
{
    /// <summary>Every target group's targets, ordered by task ARN; a group without targets has an empty list.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<BalancerTarget>> All(StateSnapshot state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var targets = state.TargetGroups.Keys.ToDictionary(n => n, _ => new List<BalancerTarget>(), StringComparer.Ordinal);
        foreach (var service in state.Services.Values.Where(s => s.Status == ServiceStatus.Active && s.LoadBalancers.Count > 0))
        {
            foreach (var balancer in service.LoadBalancers)
            {
                if (LoadBalancerNames.TargetGroupName(balancer.TargetGroupArn) is { } name && targets.TryGetValue(name, out var list))
                {
                    list.AddRange(Of(state, service, balancer));
                }
            }
        }

        return targets.ToDictionary(
            p => p.Key,
            p => (IReadOnlyList<BalancerTarget>)p.Value.DistinctBy(t => t.Endpoint).OrderBy(t => t.TaskArn, StringComparer.Ordinal).ToList(),
            StringComparer.Ordinal);
    }

    /// <summary>The service's targets for one of its load balancers.</summary>
    public static IEnumerable<BalancerTarget> Of(StateSnapshot state, ServiceRecord service, LoadBalancer balancer)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(balancer);
        var registry = new ServiceRegistry { ContainerName = balancer.ContainerName, ContainerPort = balancer.ContainerPort };
        return ServiceDiscovery.Entries(state, service, registry)
            .Select(e => new BalancerTarget(e.TaskArn, e.TaskId, e.Address, e.Port));
    }

    /// <summary>
    /// How long <paramref name="task"/> must drain before it is stopped: the longest deregistration delay of the
    /// target groups it is a target of now (in <paramref name="state"/>, before the stop); null when it is none's.
    /// </summary>
    public static TimeSpan? DrainDelay(StateSnapshot state, TaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(task);
        if (task.Task.Group is not { } group || !group.StartsWith("service:", StringComparison.Ordinal) ||
            task.Task.LastStatus != TaskStatus.Running || task.Task.DesiredStatus != TaskStatus.Running)
        {
            return null;
        }

        var service = state.ServicesIn(task.ClusterName).FirstOrDefault(s => s.TaskGroup == group);
        if (service is null || service.Status != ServiceStatus.Active)
        {
            return null;
        }

        int? seconds = null;
        foreach (var balancer in service.LoadBalancers)
        {
            if (LoadBalancerNames.TargetGroupName(balancer.TargetGroupArn) is { } name && state.TargetGroups.GetValueOrDefault(name) is { } targetGroup &&
                Of(state, service, balancer).Any(t => t.TaskArn == task.Arn))
            {
                seconds = Math.Max(seconds ?? 0, targetGroup.DeregistrationDelaySeconds);
            }
        }

        return seconds is { } s ? TimeSpan.FromSeconds(s) : null;
    }

    /// <summary>
    /// <paramref name="stopping"/> (the task with desired STOPPED) marked draining until now + its delay when the task
    /// was a target in <paramref name="before"/>; the task unchanged otherwise (its stop goes out at once).
    /// </summary>
    public static TaskRecord Drain(StateSnapshot before, TaskRecord task, TaskRecord stopping, DateTimeOffset now) =>
        DrainDelay(before, task) is { } delay && delay > TimeSpan.Zero && stopping.Task.LastStatus != TaskStatus.Stopped
            ? stopping with { DrainingUntil = now + delay }
            : stopping;
}
