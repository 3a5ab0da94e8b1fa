using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>What managed scaling decides for one provider in one cluster: its reservation, and which instances may go.</summary>
public sealed record CapacityPlan(CapacityProviderReservation Reservation, IReadOnlyList<InstanceRecord> Remove)
{
    public int Current => Reservation.Instances;
    public int Desired => Reservation.DesiredInstances;
}

/// <summary>
/// ECS's CapacityProviderReservation, pure over a snapshot: <c>M / N × 100</c>, where N is the provider's instances
/// in the cluster and M the instances its tasks need — those running at least one non-daemon task, plus the fresh
/// instances (each the size of the group's largest) the tasks that could not be placed would need, packed first-fit
/// by CPU and memory. A task that could not be placed is a service task of a strategy naming the provider that the
/// service lacks on it (its share of desiredCount minus its live tasks there); RunTask's unplaced tasks are refused,
/// not kept, so they do not count. N = 0: 200 when M &gt; 0, 100 otherwise (ECS's rule).
/// </summary>
public static class CapacityReservation
{
    public static CapacityPlan Plan(StateSnapshot state, ClusterRecord cluster, CapacityProviderRecord provider, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(provider);
        var members = CapacityGroups.Members(state, cluster.Name, provider);
        var daemonGroups = state.ServicesIn(cluster.Name).Where(s => s.IsDaemon).Select(s => s.TaskGroup).ToHashSet(StringComparer.Ordinal);
        var busy = new List<InstanceRecord>();
        var protectedHosts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instance in members)
        {
            var tasks = state.TasksOn(instance.Arn).Where(t => t.Task.Group is not { } g || !daemonGroups.Contains(g)).ToList();
            if (tasks.Count > 0)
            {
                busy.Add(instance);
            }

            if (tasks.Any(t => t.ProtectedUntil is { } until && until > now))
            {
                protectedHosts.Add(instance.Arn);
            }
        }

        var unplaced = Unplaced(state, cluster, provider);
        var extra = FreshInstancesFor(unplaced, members);
        var n = members.Count;
        var m = busy.Count + extra;
        var value = n == 0 ? (m > 0 ? 200 : 100) : Math.Round(m * 100.0 / n, 2);

        var desired = n;
        if (provider.ScalingEnabled)
        {
            var scaling = provider.ManagedScaling;
            var target = scaling.TargetCapacity ?? 100;
            var wanted = (int)Math.Ceiling(m * 100.0 / target);
            if (wanted > n)
            {
                desired = n + Math.Clamp(wanted - n, scaling.MinimumScalingStepSize ?? 1, scaling.MaximumScalingStepSize ?? 10000);
            }
            else if (wanted < n)
            {
                desired = n - Math.Min(n - wanted, scaling.MaximumScalingStepSize ?? 10000);
            }
        }

        var remove = new List<InstanceRecord>();
        if (desired < n)
        {
            // Empty instances first; with managed termination protection, only those (and never one running a
            // protected task); without it, then those without protected tasks, fewest tasks first.
            var enabled = provider.ManagedTerminationProtection == "ENABLED";
            var candidates = members
                .Where(i => !protectedHosts.Contains(i.Arn) && (!enabled || !busy.Contains(i)))
                .OrderBy(i => busy.Contains(i) ? 1 : 0)
                .ThenBy(i => state.TasksOn(i.Arn).Count())
                .ThenBy(i => i.Arn, StringComparer.Ordinal)
                .ToList();
            remove.AddRange(candidates.Take(n - desired));
            desired = n - remove.Count;
        }

        return new CapacityPlan(new CapacityProviderReservation(cluster.Name, value, m, n, unplaced.Count, desired), remove);
    }

    /// <summary>The needs of each task the provider's strategies want and could not place.</summary>
    public static IReadOnlyList<TaskRequirements> Unplaced(StateSnapshot state, ClusterRecord cluster, CapacityProviderRecord provider)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(cluster);
        var result = new List<TaskRequirements>();
        foreach (var service in state.ServicesIn(cluster.Name).Where(s => s.Status == ServiceStatus.Active && !s.IsDaemon))
        {
            var items = service.CapacityProviderStrategy.Count > 0 ? service.CapacityProviderStrategy : [];
            var index = Index(items, provider.Name);
            if (index < 0 || state.TaskDefinitionByArn(service.TaskDefinitionArn) is not { } definition)
            {
                continue;
            }

            var live = state.TasksOf(service).Count(t =>
                t.Task.CapacityProviderName == provider.Name && t.Task.LastStatus != TaskStatus.Stopped && t.Task.DesiredStatus == TaskStatus.Running);
            var share = CapacityStrategy.Split(Items(items), service.DesiredCount)[index];
            var needs = TaskRequirements.Of(definition);
            for (var i = live; i < share; i++)
            {
                result.Add(needs);
            }
        }

        return result;
    }

    public static IReadOnlyList<CapacityStrategy.Item> Items(IReadOnlyList<CapacityProviderStrategyItem> items) =>
        [.. items.Select(i => new CapacityStrategy.Item(i.CapacityProvider ?? "", i.Base ?? 0, i.Weight ?? 0))];

    private static int Index(IReadOnlyList<CapacityProviderStrategyItem> items, string provider)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].CapacityProvider == provider)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// How many fresh instances, each the size of the group's largest (CPU, memory), the tasks need, packed first-fit
    /// largest first. Tasks bigger than that are left out (ECS ignores them too). An empty group counts one instance
    /// per task's worth of nothing known: at least one when any task waits.
    /// </summary>
    private static int FreshInstancesFor(IReadOnlyList<TaskRequirements> tasks, IReadOnlyList<InstanceRecord> members)
    {
        if (tasks.Count == 0)
        {
            return 0;
        }

        if (members.Count == 0)
        {
            return 1;
        }

        var cpu = members.Max(i => i.Registered.Cpu);
        var memory = members.Max(i => i.Registered.MemoryMiB);
        var bins = new List<(int Cpu, int Memory)>();
        foreach (var task in tasks.Where(t => t.Cpu <= cpu && t.MemoryMiB <= memory).OrderByDescending(t => t.MemoryMiB).ThenByDescending(t => t.Cpu))
        {
            var fit = bins.FindIndex(b => b.Cpu >= task.Cpu && b.Memory >= task.MemoryMiB);
            if (fit < 0)
            {
                bins.Add((cpu - task.Cpu, memory - task.MemoryMiB));
            }
            else
            {
                bins[fit] = (bins[fit].Cpu - task.Cpu, bins[fit].Memory - task.MemoryMiB);
            }
        }

        return bins.Count;
    }
}
