using Orchestrator.Agent.Ports;

namespace Orchestrator.Agent.Tests.Ports;

public sealed class DynamicPortAllocatorTests
{
    private static readonly DynamicPortRange Range = new(50000, 50004);
    private static readonly HashSet<(int, string)> None = [];

    private static bool AllFree(int port, string protocol) => true;

    [Fact]
    public void Allocate_FirstTime_StartsAtTheBottomOfTheRange()
    {
        var allocation = DynamicPortAllocator.Allocate([new PortRequest(80, "tcp"), new PortRequest(443, "tcp")], Range, cursor: 0, None, AllFree);

        Assert.True(allocation.Succeeded);
        Assert.Equal([50000, 50001], allocation.HostPorts);
        Assert.Equal(50001, allocation.Cursor);
    }

    [Fact]
    public void Allocate_RoundRobin_GoesOnFromTheLastPortAndWraps()
    {
        var next = DynamicPortAllocator.Allocate([new PortRequest(80, "tcp")], Range, cursor: 50002, None, AllFree);
        var wrapped = DynamicPortAllocator.Allocate([new PortRequest(80, "tcp"), new PortRequest(81, "tcp")], Range, cursor: 50004, None, AllFree);

        Assert.Equal([50003], next.HostPorts);
        Assert.Equal([50000, 50001], wrapped.HostPorts);
    }

    [Fact]
    public void Allocate_JustFreedPort_NotGivenOutAgainAtOnce()
    {
        // 50000 was handed out last and has just been freed: the next task gets 50001, not 50000 again.
        var allocation = DynamicPortAllocator.Allocate([new PortRequest(80, "tcp")], Range, cursor: 50000, None, AllFree);

        Assert.Equal([50001], allocation.HostPorts);
    }

    [Fact]
    public void Allocate_SkipsReservedHeldAndBusyPorts()
    {
        HashSet<(int, string)> unavailable = [(50000, "tcp"), (50001, "tcp")];

        var allocation = DynamicPortAllocator.Allocate([new PortRequest(80, "tcp")], Range, 0, unavailable, (port, _) => port != 50002);

        Assert.Equal([50003], allocation.HostPorts);
    }

    [Fact]
    public void Allocate_ProtocolsAreSeparate()
    {
        HashSet<(int, string)> unavailable = [(50000, "tcp")];

        var allocation = DynamicPortAllocator.Allocate([new PortRequest(53, "udp"), new PortRequest(53, "tcp")], Range, 0, unavailable, AllFree);

        Assert.Equal([50000, 50001], allocation.HostPorts);
    }

    [Fact]
    public void Allocate_SameContainerTwice_NeverTheSamePort()
    {
        var allocation = DynamicPortAllocator.Allocate([new PortRequest(80, "tcp"), new PortRequest(81, "tcp"), new PortRequest(82, "tcp")], new DynamicPortRange(50000, 50002), 0, None, AllFree);

        Assert.Equal([50000, 50001, 50002], allocation.HostPorts);
    }

    [Fact]
    public void Allocate_RangeExhausted_SaysWhichRequestAndKeepsTheCursor()
    {
        HashSet<(int, string)> unavailable = [(50000, "tcp"), (50001, "tcp"), (50002, "tcp"), (50003, "tcp")];

        var allocation = DynamicPortAllocator.Allocate([new PortRequest(80, "tcp"), new PortRequest(81, "tcp")], Range, 50002, unavailable, AllFree);

        Assert.False(allocation.Succeeded);
        Assert.Equal(new PortRequest(81, "tcp"), allocation.Unsatisfied);
        Assert.Empty(allocation.HostPorts);
        Assert.Equal(50002, allocation.Cursor);
        Assert.Equal("ResourceInitializationError: no free host port in 50000-50004 for container web", DynamicPortAllocator.ExhaustedReason(Range, "web"));
    }
}
