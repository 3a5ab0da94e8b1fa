using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// Decides where tasks go. Pure: it sees only the instances it is given and returns a plan; committing the plan
/// (and re-checking it against the state of the moment) is the caller's job.
/// This version places each task on the first instance, in ARN order, that is ACTIVE, connected and has the CPU,
/// memory and ports the task needs.
/// </summary>
public static class PlacementEngine
{
    public static PlacementPlan Place(IReadOnlyList<InstanceView> instances, TaskRequirements needs, int count)
    {
        var working = instances.OrderBy(i => i.Arn, StringComparer.Ordinal).ToList();
        var placements = new List<string>(count);
        var failures = new Dictionary<string, PlacementFailure>(StringComparer.Ordinal);
        for (var n = 0; n < count; n++)
        {
            var placed = false;
            for (var i = 0; i < working.Count && !placed; i++)
            {
                var reason = Refusal(working[i], needs);
                if (reason is null)
                {
                    placements.Add(working[i].Arn);
                    working[i] = working[i].Take(needs);
                    placed = true;
                }
                else
                {
                    failures[working[i].Arn] = reason;
                }
            }

            if (!placed)
            {
                break; // nothing changes for the remaining tasks of this request
            }
        }

        return new PlacementPlan(placements, placements.Count == count ? [] : failures.Values.ToList());
    }

    /// <summary>Why <paramref name="instance"/> cannot take the task, checked in ECS's order; null when it can.</summary>
    public static PlacementFailure? Refusal(InstanceView instance, TaskRequirements needs)
    {
        if (instance.Status != ContainerInstanceStatus.Active)
        {
            return new PlacementFailure(instance.Arn, PlacementReasons.Inactive, $"The container instance is {instance.Status}.");
        }

        if (!instance.AgentConnected)
        {
            return new PlacementFailure(instance.Arn, PlacementReasons.Agent, "The container instance's agent is not connected.");
        }

        if (needs.Cpu > instance.RemainingCpu)
        {
            return new PlacementFailure(instance.Arn, PlacementReasons.Cpu,
                $"The task needs {needs.Cpu} CPU units; the container instance has {instance.RemainingCpu} left.");
        }

        if (needs.MemoryMiB > instance.RemainingMemoryMiB)
        {
            return new PlacementFailure(instance.Arn, PlacementReasons.Memory,
                $"The task needs {needs.MemoryMiB} MiB of memory; the container instance has {instance.RemainingMemoryMiB} MiB left.");
        }

        var tcp = needs.TcpPorts.Where(instance.UsedTcpPorts.Contains).ToList();
        if (tcp.Count > 0)
        {
            return new PlacementFailure(instance.Arn, PlacementReasons.Ports,
                $"The container instance is already using TCP port {string.Join(", ", tcp)} that the task requires.");
        }

        var udp = needs.UdpPorts.Where(instance.UsedUdpPorts.Contains).ToList();
        return udp.Count > 0
            ? new PlacementFailure(instance.Arn, PlacementReasons.PortsUdp,
                $"The container instance is already using UDP port {string.Join(", ", udp)} that the task requires.")
            : null;
    }
}

/// <summary>One container instance ARN per placed task, and why the rest could not be placed.</summary>
public sealed record PlacementPlan(IReadOnlyList<string> InstanceArns, IReadOnlyList<PlacementFailure> Failures);

/// <summary>Why a container instance could not take a task: an ECS reason code and a sentence for people.</summary>
public sealed record PlacementFailure(string InstanceArn, string Reason, string Detail);

public static class PlacementReasons
{
    public const string Cpu = "RESOURCE:CPU";
    public const string Memory = "RESOURCE:MEMORY";
    public const string Ports = "RESOURCE:PORTS";
    public const string PortsUdp = "RESOURCE:PORTS_UDP";
    public const string Agent = "AGENT";
    public const string Inactive = "INACTIVE";
}
