using Orchestrator.ControlPlane.Networking;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tasks;

/// <summary>
/// What a placed task is given besides CPU and memory, as placement chose it: the IDs of the GPUs its containers
/// asked for (container name to GPU IDs) and, for an awsvpc task, its address.
/// </summary>
public sealed record TaskAssignment(IReadOnlyDictionary<string, IReadOnlyList<string>> Gpus, TaskAddress? Address)
{
    public static TaskAssignment None { get; } = new(new Dictionary<string, IReadOnlyList<string>>(), null);

    /// <summary>
    /// The assignment a placement stands for: its GPU IDs handed to the containers that asked for GPUs, in
    /// container order, and its address with a new attachment ID.
    /// </summary>
    public static TaskAssignment From(TaskPlacement placement, TaskDefinition definition, StateSnapshot state)
    {
        ArgumentNullException.ThrowIfNull(placement);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        if (placement.GpuIds.Count == 0 && placement.Address is null)
        {
            return None;
        }

        var gpus = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var next = 0;
        foreach (var container in definition.ContainerDefinitions.Where(c => c.GpuCount > 0))
        {
            gpus[container.Name!] = [.. placement.GpuIds.Skip(next).Take(container.GpuCount)];
            next += container.GpuCount;
        }

        TaskAddress? address = null;
        if (placement.Address is { } planned && state.Subnet(planned.SubnetId) is { } subnet)
        {
            address = new TaskAddress(subnet.Id, Ipv4.Format(planned.Address), subnet.PrefixLength, Ipv4.Format(subnet.Gateway), Guid.NewGuid().ToString());
        }

        return new TaskAssignment(gpus, address);
    }
}
