namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>
/// The filters of one request in ECS's order: status and agent, then CPU, memory, ports, GPUs, awsvpc slots and
/// addresses, then the constraints in the order given. An instance fails with the first filter it does not pass.
/// </summary>
internal sealed class FilterChain
{
    private readonly IPlacementFilter[] _filters;

    public FilterChain(ClusterSnapshot snapshot, PlacementRequest request, Engine.AddressPools pools)
    {
        var needs = request.Needs;
        var list = new List<IPlacementFilter> { StatusFilter.Instance, AgentFilter.Instance, new CpuFilter(needs.Cpu), new MemoryFilter(needs.MemoryMiB) };
        if (needs.TcpPorts.Count > 0)
        {
            list.Add(PortsFilter.Tcp(needs.TcpPorts));
        }

        if (needs.UdpPorts.Count > 0)
        {
            list.Add(PortsFilter.Udp(needs.UdpPorts));
        }

        if (needs.DynamicTcpPorts > 0)
        {
            list.Add(new DynamicPortsFilter(needs.DynamicTcpPorts, udp: false));
        }

        if (needs.DynamicUdpPorts > 0)
        {
            list.Add(new DynamicPortsFilter(needs.DynamicUdpPorts, udp: true));
        }

        if (needs.GpuCount > 0)
        {
            list.Add(new GpuFilter(needs.GpuCount));
        }

        if (needs.UsesTaskEni)
        {
            list.Add(TaskEniFilter.Instance);
            list.Add(new SubnetFilter(pools));
            list.Add(new AddressFilter(pools));
        }

        foreach (var constraint in request.Rules.Constraints)
        {
            list.Add(constraint switch
            {
                MemberOfConstraint memberOf => new MemberOfFilter(memberOf, request.Group, snapshot),
                _ => new DistinctInstanceFilter(request.Group),
            });
        }

        _filters = [.. list];
    }

    public IReadOnlyList<IPlacementFilter> Filters => _filters;

    public bool Passes(in InstanceState instance) => FirstFailure(instance) < 0;

    /// <summary>The index of the first filter the instance fails, or -1 when it passes them all.</summary>
    public int FirstFailure(in InstanceState instance)
    {
        for (var i = 0; i < _filters.Length; i++)
        {
            if (!_filters[i].Passes(instance))
            {
                return i;
            }
        }

        return -1;
    }
}
