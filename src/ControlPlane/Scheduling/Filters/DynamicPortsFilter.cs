namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>
/// Bridge port mappings without a host port each take a port of the agent's dynamic range (TCP and UDP counted
/// apart): the instance must have enough of them left. Exhausted, the reason is ECS's RESOURCE:PORTS (or _UDP).
/// </summary>
internal sealed class DynamicPortsFilter(int needed, bool udp) : IPlacementFilter
{
    private string Protocol => udp ? "UDP" : "TCP";

    public string Reason => udp ? PlacementReasons.PortsUdp : PlacementReasons.Ports;

    public bool Passes(in InstanceState instance) => needed <= (udp ? instance.DynamicUdpPorts : instance.DynamicTcpPorts);

    public string Detail(in InstanceState instance)
    {
        var left = udp ? instance.DynamicUdpPorts : instance.DynamicTcpPorts;
        return $"The task needs {needed} dynamic {Protocol} host port{(needed == 1 ? "" : "s")}; the container instance has {left} left "
            + $"in its dynamic port range {instance.Snapshot.DynamicPortRange}.";
    }

    public string Summary(int count) => $"{count} had too few dynamic {Protocol} host ports left (the task needs {needed})";
}
