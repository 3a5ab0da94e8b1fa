using System.Globalization;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>Dynamic host ports: the agent picks them (as the ECS agent does since 1.70) rather than leaving it to Docker.</summary>
public sealed partial class TaskEngine
{
    /// <summary>How long a host port found taken by someone else is not handed out again.</summary>
    internal static readonly TimeSpan TakenPortQuarantine = TimeSpan.FromMinutes(10);

    /// <summary>Host ports another process turned out to hold, and until when they are avoided.</summary>
    private readonly Dictionary<int, DateTimeOffset> _takenPorts = [];

    /// <summary>
    /// Gives each of the container's port mappings without a static host port a host port from the dynamic range, and
    /// saves them (and the round-robin cursor) before the container is created, so a restart never hands one out twice.
    /// Null when done (or nothing was needed); the failure when the range is exhausted.
    /// </summary>
    private ContainerFailed? AssignHostPorts(ManagedTask task, ContainerDefinition definition, ContainerRecord container)
    {
        var requests = (definition.PortMappings ?? [])
            .Where(p => p.ContainerPort is > 0 && p.HostPort is null or 0)
            .Select(p => new PortRequest(p.ContainerPort!.Value, p.EffectiveProtocol))
            .Where(r => !container.HostPorts.Exists(a => a.ContainerPort == r.ContainerPort && a.Protocol == r.Protocol))
            .ToList();
        if (requests.Count == 0)
        {
            return null;
        }

        var allocation = DynamicPortAllocator.Allocate(requests, _portRange, _store.DynamicPortCursor, UnavailablePorts(), _portProbe.IsFree);
        if (!allocation.Succeeded)
        {
            Log.HostPortsExhausted(_logger, task.Record.TaskArn, container.Name, _portRange.ToString());
            return new ContainerFailed(container.Name, DynamicPortAllocator.ExhaustedReason(_portRange, container.Name), StopsTask: true);
        }

        var assigned = requests.Zip(allocation.HostPorts, (r, port) => new PortAssignment(r.ContainerPort, r.Protocol, port)).ToList();
        Commit(task, task.Record.WithContainer(container with { HostPorts = container.HostPorts.AddRange(assigned) }));
        _store.DynamicPortCursor = allocation.Cursor;
        Log.HostPortsAssigned(_logger, task.Record.TaskArn, container.Name,
            string.Join(", ", assigned.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.HostPort}->{a.ContainerPort}/{a.Protocol}"))),
            _portRange.ToString());
        return null;
    }

    /// <summary>
    /// The host ports no dynamic mapping may take: the reserved ones, and those held by this agent's containers that
    /// have not stopped — dynamic ones it gave out and static ones (bridge host ports, host-mode container ports).
    /// </summary>
    private HashSet<(int Port, string Protocol)> UnavailablePorts()
    {
        var unavailable = new HashSet<(int, string)>();
        var now = _time.GetUtcNow();
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

        unavailable.UnionWith(ReservedPorts.Tcp(_osType, _options).Select(p => (p, "tcp")));
        unavailable.UnionWith(ReservedPorts.Udp(_options).Select(p => (p, "udp")));
        foreach (var task in _tasks.Values)
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
