using Orchestrator.ControlPlane.Networking;

namespace Orchestrator.ControlPlane.Tests.Networking;

public sealed class SubnetOptionsTests
{
    /// <summary>Subnets from <c>--subnet</c> strings, as the control plane builds them at start; throws on a problem.</summary>
    public static IReadOnlyList<Subnet> Parse(params string[] specs)
    {
        var errors = new List<string>();
        var subnets = new ControlPlaneOptions { SubnetSpecs = [.. specs] }.BuildSubnets(errors);
        return errors.Count == 0 ? subnets : throw new InvalidOperationException(string.Join("\n", errors));
    }

    [Fact]
    public void ParseSpec_AllKeys_HostsTakesTheRestOfTheLine()
    {
        var subnet = Assert.Single(Parse("subnet-a cidr=10.20.0.0/24 range=10.20.0.100-10.20.0.199 gateway=10.20.0.254 cluster=prod hosts=attribute:segment == a or attribute:segment == b"));

        Assert.Equal(("subnet-a", "10.20.0.0/24", "10.20.0.100-10.20.0.199", "10.20.0.254", "prod"),
            (subnet.Id, subnet.Cidr, subnet.Range, Ipv4.Format(subnet.Gateway), subnet.Cluster));
        Assert.Equal("attribute:segment == a or attribute:segment == b", subnet.Hosts);
        Assert.Equal(100, subnet.Size);
    }

    [Fact]
    public void Build_Defaults_EveryHostAddressButTheGateway()
    {
        var subnet = Assert.Single(Parse("subnet-a cidr=192.168.7.0/29"));

        Assert.Equal(("192.168.7.1-192.168.7.6", "192.168.7.1"), (subnet.Range, Ipv4.Format(subnet.Gateway)));
        Assert.Equal(["192.168.7.2", "192.168.7.3", "192.168.7.4", "192.168.7.5", "192.168.7.6"], subnet.Addresses().Select(Ipv4.Format));
        Assert.Null(subnet.Hosts);
        Assert.Null(subnet.Cluster);
    }

    [Theory]
    [InlineData("subnet-a", "--subnet 'subnet-a': the subnet must be an IPv4 network in CIDR notation")]
    [InlineData("subnet-a cidr=10.0.0.1/24", "the subnet must be an IPv4 network in CIDR notation")]
    [InlineData("subnet-a cidr=10.0.0.0/24 range=10.0.1.1-10.0.1.9", "the range must be FIRST-LAST, host addresses of 10.0.0.0/24")]
    [InlineData("subnet-a cidr=10.0.0.0/24 gateway=10.0.0.255", "the gateway must be a host address of 10.0.0.0/24")]
    [InlineData("subnet-a cidr=10.0.0.0/24 range=10.0.0.1-10.0.0.1", "leaves no address for tasks")]
    [InlineData("subnet-a cidr=10.0.0.0/24 hosts=attribute:x ==", "the hosts expression 'attribute:x ==' is not a cluster query")]
    [InlineData("subnet-a cidr=10.0.0.0/24 mask=255.255.255.0", "'mask=255.255.255.0' is not one of cidr=, range=, gateway=, cluster=, hosts=")]
    [InlineData("bad/id cidr=10.0.0.0/24", "the subnet ID must be 1-64 letters, digits, hyphens or underscores")]
    public void Build_BadSpec_SaysWhatIsWrongNamingTheSetting(string spec, string message)
    {
        var errors = new List<string>();
        new ControlPlaneOptions { SubnetSpecs = [spec] }.BuildSubnets(errors);

        Assert.Contains(message, Assert.Single(errors), StringComparison.Ordinal);
        Assert.StartsWith($"--subnet '{spec}'", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Build_OverlappingRangesOrSameId_AreRefused()
    {
        var errors = new List<string>();
        var options = new ControlPlaneOptions
        {
            Subnets =
            [
                new SubnetOptions { Id = "subnet-a", Cidr = "10.0.0.0/24", Range = "10.0.0.10-10.0.0.50" },
                new SubnetOptions { Id = "subnet-b", Cidr = "10.0.0.0/24", Range = "10.0.0.50-10.0.0.60" },
                new SubnetOptions { Id = "subnet-a", Cidr = "10.1.0.0/24" },
                new SubnetOptions { Id = "subnet-c", Cidr = "10.0.0.0/24", Range = "10.0.0.51-10.0.0.60" },
            ],
        };

        var subnets = options.BuildSubnets(errors);

        Assert.Equal(["subnet-a", "subnet-c"], subnets.Select(s => s.Id));
        Assert.Equal(2, errors.Count);
        Assert.StartsWith("ControlPlane:Subnets:1: its range 10.0.0.50-10.0.0.60 overlaps subnet-a's", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("ControlPlane:Subnets:2: the subnet ID subnet-a is also used by ControlPlane:Subnets:0", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ExpandArguments_RepeatedSubnetFlag_BecomesOneKeyEach()
    {
        var args = ControlPlaneApp.ExpandArguments(["--data-dir", "/x", "--subnet", "subnet-a cidr=10.0.0.0/24", "--subnet=subnet-b cidr=10.1.0.0/24"]);

        Assert.Equal(["--data-dir", "/x", "--ControlPlane:SubnetSpecs:0=subnet-a cidr=10.0.0.0/24", "--ControlPlane:SubnetSpecs:1=subnet-b cidr=10.1.0.0/24"], args);
    }
}
