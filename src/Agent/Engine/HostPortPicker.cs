using System.Globalization;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// Picks dynamic host ports (as the ECS agent does since 1.70) rather than leaving it to Docker: round-robin over the
/// dynamic range from the stored cursor, skipping reserved ports, ports the agent's tasks hold, ports a test bind finds
/// busy and ports found taken by someone else a while ago. Used only by the engine's loop.
/// </summary>
internal sealed partial class HostPortPicker(DynamicPortRange range, IPortProbe probe, AgentStore store, AgentOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>How long a host port found taken by someone else is not handed out again.</summary>
    internal static readonly TimeSpan TakenPortQuarantine = TimeSpan.FromMinutes(10);

    /// <summary>Host ports another process turned out to hold, and until when they are avoided.</summary>
    private readonly Dictionary<int, DateTimeOffset> _takenPorts = [];

    /// <summary>Someone else holds this port: it is not handed out for <see cref="TakenPortQuarantine"/>.</summary>
    public void Quarantine(int hostPort) => _takenPorts[hostPort] = time.GetUtcNow() + TakenPortQuarantine;

    /// <summary>
    /// Host ports for each of the container's port mappings without a static host port that has none yet (the cursor
    /// is saved at once, so a restart never hands one out twice); empty when none is needed; the failure when the range
    /// is exhausted. <paramref name="tasks"/> are every task the engine knows, whose ports are not free.
    /// </summary>
    public (IReadOnlyList<PortAssignment> Assigned, ContainerFailed? Failure) Pick(
        string taskArn, ContainerDefinition definition, ContainerRecord container, IEnumerable<ManagedTask> tasks, string osType)
    {
        var requests = (definition.PortMappings ?? [])
            .Where(p => p.ContainerPort is > 0 && p.HostPort is null or 0)
            .Select(p => new PortRequest(p.ContainerPort!.Value, p.EffectiveProtocol))
            .Where(r => !container.HostPorts.Exists(a => a.ContainerPort == r.ContainerPort && a.Protocol == r.Protocol))
            .ToList();
        if (requests.Count == 0)
        {
            return ([], null);
        }

        var allocation = DynamicPortAllocator.Allocate(requests, range, store.DynamicPortCursor, Unavailable(tasks, osType), probe.IsFree);
        if (!allocation.Succeeded)
        {
            Log.HostPortsExhausted(logger, taskArn, container.Name, range.ToString());
            return ([], new ContainerFailed(container.Name, DynamicPortAllocator.ExhaustedReason(range, container.Name), StopsTask: true));
        }

        var assigned = requests.Zip(allocation.HostPorts, (r, port) => new PortAssignment(r.ContainerPort, r.Protocol, port)).ToList();
        store.DynamicPortCursor = allocation.Cursor;
        Log.HostPortsAssigned(logger, taskArn, container.Name,
            string.Join(", ", assigned.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.HostPort}->{a.ContainerPort}/{a.Protocol}"))),
            range.ToString());
        return (assigned, null);
    }

    /// <summary>
    /// The host ports no dynamic mapping may take: the reserved ones, and those held by this agent's containers that
    /// have not stopped — dynamic ones it gave out and static ones (bridge host ports, host-mode container ports).
    /// </summary>
    private HashSet<(int Port, string Protocol)> Unavailable(IEnumerable<ManagedTask> tasks, string osType)
    {
        var unavailable = new HashSet<(int, string)>();
        var now = time.GetUtcNow();
        foreach (var (port, until) in _takenPorts.ToList())
        {
            if (until <= now)
            {
                _takenPorts.Remove(port);
            }
            else
            {
                unavailable.Add((port, "tcp"));
                unavailable.Add((port, "udp"));
            }
        }

        unavailable.UnionWith(ReservedPorts.Tcp(osType, options.ExtraReservedTcpPorts).Select(p => (p, "tcp")));
        unavailable.UnionWith(ReservedPorts.Udp(options.ExtraReservedUdpPorts).Select(p => (p, "udp")));
        foreach (var task in tasks)
        {
            var mode = task.Definition?.EffectiveNetworkMode;
            foreach (var container in task.Record.Containers.Where(c => c.KnownStatus != LifecycleStatus.Stopped))
            {
                unavailable.UnionWith(container.HostPorts.Select(a => (a.HostPort, a.Protocol)));
                foreach (var mapping in task.ContainerDefinition(container.Name)?.PortMappings ?? [])
                {
                    // awsvpc tasks' ports are on their own address, none's nowhere: only host and bridge take host ports.
                    var port = mode switch
                    {
                        NetworkModes.Host => mapping.ContainerPort,
                        NetworkModes.Bridge => mapping.HostPort,
                        _ => null,
                    };
                    if (port is > 0)
                    {
                        unavailable.Add((port.Value, mapping.EffectiveProtocol));
                    }
                }
            }
        }

        return unavailable;
    }
}
