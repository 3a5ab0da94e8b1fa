using System.Net;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Metadata;

namespace Orchestrator.Agent.Tests.Metadata;

/// <summary>Where bridge containers reach the host, from what Docker says of its bridge network.</summary>
public sealed class BridgeGatewayTests
{
    private static NetworkInspection Bridge(string? gateway, string cidr = "172.17.0.0/16", string? bridgeName = "docker0") => new()
    {
        Id = "b1",
        Driver = "bridge",
        Options = bridgeName is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [BridgeGateway.BridgeNameOption] = bridgeName },
        Subnets = [new NetworkSubnet(cidr, gateway)],
    };

    private static Func<string, IEnumerable<IPAddress>> Interfaces(string name, params string[] addresses) =>
        n => n == name ? addresses.Select(IPAddress.Parse) : [];

    [Fact]
    public void TheGatewayDockerNames_IsTheOne() =>
        Assert.Equal(IPAddress.Parse("172.17.0.9"), BridgeGateway.Find(Bridge("172.17.0.9"), Interfaces("docker0", "172.17.0.1")));

    [Fact]
    public void NoGatewayNamed_TheBridgeInterfacesAddressInTheSubnet()
    {
        // What dockerd reports on its first start (no docker0, empty network store): the subnet alone.
        var found = BridgeGateway.Find(Bridge(null, "10.200.0.0/24", "br-lab"), Interfaces("br-lab", "fe80::1", "192.168.5.5", "10.200.0.254"));

        Assert.Equal(IPAddress.Parse("10.200.0.254"), found);
    }

    [Theory]
    [InlineData("172.18.0.0/16", "172.18.0.1")]
    [InlineData("10.9.8.128/25", "10.9.8.129")]
    [InlineData("10.9.8.77/24", "10.9.8.1")] // a subnet written with host bits
    public void NoGatewayNorInterface_TheSubnetsFirstHostAddress(string cidr, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), BridgeGateway.Find(Bridge(null, cidr, bridgeName: "gone"), Interfaces("docker0", "172.17.0.1")));
        Assert.Equal(IPAddress.Parse(expected), BridgeGateway.Find(Bridge(null, cidr, bridgeName: null), Interfaces("docker0", "172.17.0.1")));
    }

    [Theory]
    [InlineData("fd00::/64")]
    [InlineData("not a subnet")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/32")]
    public void NoIpv4SubnetOrGateway_None(string cidr) =>
        Assert.Null(BridgeGateway.Find(Bridge(null, cidr, bridgeName: null)));
}
