using System.Net;
using System.Net.Sockets;
using Orchestrator.Agent.Ports;

namespace Orchestrator.Agent.Tests.Ports;

public sealed class DynamicPortRangeTests
{
    [Theory]
    [InlineData("32768\t60999\n", 32768, 60999)]
    [InlineData("49153-65535", 49153, 65535)]
    [InlineData(" 1024 - 2048 ", 1024, 2048)]
    public void TryParse_ProcFileOrOption_Range(string text, int first, int last)
    {
        Assert.True(DynamicPortRange.TryParse(text, out var range));
        Assert.Equal(new DynamicPortRange(first, last), range);
    }

    [Theory]
    [InlineData("")]
    [InlineData("60999-32768")]
    [InlineData("0-100")]
    [InlineData("1000-70000")]
    [InlineData("a-b")]
    [InlineData("1000")]
    public void TryParse_NotARange_False(string text) => Assert.False(DynamicPortRange.TryParse(text, out _));

    [Fact]
    public void Resolve_Configured_WinsOverTheHost()
    {
        var range = DynamicPortRange.Resolve("40000-40010", "unix:///var/run/docker.sock", _ => "32768\t60999");

        Assert.Equal(new DynamicPortRange(40000, 40010), range);
    }

    [Fact]
    public void Resolve_LocalDocker_TheEphemeralRange()
    {
        string? read = null;

        var range = DynamicPortRange.Resolve(null, "unix:///var/run/docker.sock", path => { read = path; return "32768\t60999\n"; });

        Assert.Equal(new DynamicPortRange(32768, 60999), range);
        Assert.Equal("/proc/sys/net/ipv4/ip_local_port_range", read);
    }

    [Theory]
    [InlineData("tcp://10.0.0.5:2375", "32768\t60999")]
    [InlineData("unix:///var/run/docker.sock", null)]
    [InlineData("npipe:////./pipe/docker_engine", null)]
    public void Resolve_RemoteDockerOrUnreadable_EcsFallback(string dockerHost, string? file)
    {
        Assert.Equal(new DynamicPortRange(49153, 65535), DynamicPortRange.Resolve("", dockerHost, _ => file));
    }

    [Fact]
    public void SocketPortProbe_PortHeldByAListener_Busy()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Any, 0));
        var udpPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        var probe = new SocketPortProbe();

        Assert.False(probe.IsFree(port, "tcp"));
        Assert.False(probe.IsFree(udpPort, "udp"));
        listener.Stop();
        Assert.True(probe.IsFree(port, "tcp"));
    }
}
