using System.Globalization;
using Orchestrator.ControlPlane.Networking;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// What a placed task is given besides CPU and memory: the IDs of the GPUs its containers asked for and, for an
/// awsvpc task, its address. <see cref="Gpus"/> maps container names to GPU IDs.
/// </summary>
public sealed record TaskAssignment(IReadOnlyDictionary<string, IReadOnlyList<string>> Gpus, TaskAddress? Address)
{
    public static TaskAssignment None { get; } = new(new Dictionary<string, IReadOnlyList<string>>(), null);
}

/// <summary>
/// Chooses a task's GPUs and address on its instance, inside the write that creates the task (the commit), from the
/// state of that moment: tasks created earlier in the same write hold theirs already, so nothing is handed out twice.
/// The address comes from the first subnet serving the instance (among those the task allows) that has one left —
/// placement's rule — and is its lowest free one. Pure.
/// </summary>
public static class TaskResources
{
    public static (TaskAssignment? Assignment, PlacementFailure? Failure) Assign(
        StateSnapshot state, string instanceArn, TaskDefinition definition, TaskRequirements needs, IReadOnlyList<string>? subnets)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(needs);
        if (needs.GpuCount == 0 && !needs.UsesTaskEni)
        {
            return (TaskAssignment.None, null);
        }

        var instance = state.Instance(instanceArn) ?? throw new InvalidOperationException($"Container instance {instanceArn} is not stored.");
        var view = ClusterSnapshot.Of(state, instance, agentConnected: true);
        var gpus = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var free = new Queue<string>(view.FreeGpuIds);
        if (free.Count < needs.GpuCount)
        {
            return (null, new PlacementFailure(instanceArn, PlacementReasons.Gpu, string.Create(CultureInfo.InvariantCulture,
                $"The task needs {needs.GpuCount} GPUs; the container instance has {free.Count} free.")));
        }

        foreach (var container in definition.ContainerDefinitions.Where(c => c.GpuCount > 0))
        {
            gpus[container.Name!] = [.. Enumerable.Range(0, container.GpuCount).Select(_ => free.Dequeue())];
        }

        TaskAddress? address = null;
        if (needs.UsesTaskEni)
        {
            var allowed = subnets is null ? view.SubnetIds : view.SubnetIds.Where(subnets.Contains).ToList();
            address = allowed.Select(state.Subnet).OfType<Subnet>().Select(s => FreeAddress(state, s)).FirstOrDefault(a => a is not null);
            if (address is null)
            {
                return (null, allowed.Count == 0
                    ? new PlacementFailure(instanceArn, PlacementReasons.Location, "No subnet of the task serves the container instance.")
                    : new PlacementFailure(instanceArn, PlacementReasons.Eni,
                        $"The subnets {string.Join(", ", allowed)} have no free address for the task's network interface."));
            }
        }

        return (new TaskAssignment(gpus, address), null);
    }

    private static TaskAddress? FreeAddress(StateSnapshot state, Subnet subnet)
    {
        foreach (var candidate in subnet.Addresses())
        {
            var text = Ipv4.Format(candidate);
            if (!state.Addresses.ContainsKey(text))
            {
                return new TaskAddress(subnet.Id, text, subnet.PrefixLength, Ipv4.Format(subnet.Gateway), Guid.NewGuid().ToString());
            }
        }

        return null;
    }
}
