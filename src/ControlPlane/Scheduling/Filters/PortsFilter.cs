namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>
/// Static host ports of one protocol must be free: not reserved, not bound by a task, and not taken by a task this
/// request already put on the instance (every task of a request binds the same ports).
/// </summary>
internal sealed class PortsFilter(string protocol, IReadOnlyList<int> needed, bool udp) : IPlacementFilter
{
    public static PortsFilter Tcp(IReadOnlyList<int> needed) => new("TCP", needed, udp: false);

    public static PortsFilter Udp(IReadOnlyList<int> needed) => new("UDP", needed, udp: true);

    public string Reason => udp ? PlacementReasons.PortsUdp : PlacementReasons.Ports;

    public bool Passes(in InstanceState instance)
    {
        if (needed.Count == 0)
        {
            return true;
        }

        if (instance.PlacedHere > 0)
        {
            return false;
        }

        var used = udp ? instance.Snapshot.UsedUdpPorts : instance.Snapshot.UsedTcpPorts;
        for (var i = 0; i < needed.Count; i++)
        {
            if (used.Contains(needed[i]))
            {
                return false;
            }
        }

        return true;
    }

    public string Detail(in InstanceState instance)
    {
        var used = udp ? instance.Snapshot.UsedUdpPorts : instance.Snapshot.UsedTcpPorts;
        var busy = instance.PlacedHere > 0 ? needed : needed.Where(used.Contains).ToList();
        var ports = string.Join(", ", busy.Order());
        return busy.Count == 1
            ? $"The container instance is already using {protocol} port {ports} that the task requires."
            : $"The container instance is already using {protocol} ports {ports} that the task requires.";
    }

    public string Summary(int count) => $"{count} had a required {protocol} port in use ({string.Join(", ", needed.Order())})";
}
