using Orchestrator.Agent.Engine;

namespace Orchestrator.Agent.Tests.Engine;

public sealed class NetworkModeMappingTests
{
    [Theory]
    [InlineData("linux", "bridge", "bridge", true)]
    [InlineData("linux", "host", "host", false)]
    [InlineData("linux", "none", "none", false)]
    [InlineData("windows", "bridge", "nat", true)]
    [InlineData("Windows", "bridge", "nat", true)]
    [InlineData("windows", "awsvpc", "l2bridge", false)]
    [InlineData("linux", "awsvpc", "container", false)] // container:<pause container>, once it exists
    public void Map_SupportedMode_DockerNetworkAndPublishing(string os, string mode, string dockerMode, bool publishes)
    {
        var (networking, problem) = NetworkModeMapping.Map(mode, os);

        Assert.Null(problem);
        Assert.Equal(new DockerNetworking(dockerMode, publishes), networking);
    }

    [Theory]
    [InlineData("linux", "nat", "ResourceInitializationError: networkMode nat is not supported; use bridge, host, none or awsvpc.")]
    [InlineData("windows", "host", "ResourceInitializationError: networkMode host is not supported on Windows container instances; use the default (bridge, Docker's nat network) or awsvpc.")]
    [InlineData("windows", "none", "ResourceInitializationError: networkMode none is not supported on Windows container instances; use the default (bridge, Docker's nat network) or awsvpc.")]
    public void Map_UnsupportedMode_Reason(string os, string mode, string reason)
    {
        var (networking, problem) = NetworkModeMapping.Map(mode, os);

        Assert.Null(networking);
        Assert.Equal(reason, problem);
    }
}
