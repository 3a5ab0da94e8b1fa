using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.Registration;

namespace Orchestrator.Agent.Tests.Registration;

public sealed class HostRegistrationTests
{
    private static readonly DockerHostInfo Host = new(4, (16L * 1024 * 1024 * 1024) + 123, "linux", "x86_64", "20.10.24+dfsg1", "1.41");

    [Theory]
    [InlineData(4, 0, 4096, 16384)]
    [InlineData(2, 512, 2048, 15872)]
    [InlineData(1, 20000, 1024, 0)]
    public void Resources_DockerInfo_CpuUnitsAndMemoryLessReservation(int cpus, int reservedMiB, int expectedCpu, int expectedMemory)
    {
        var resources = HostRegistration.Resources(Host with { Cpus = cpus }, new AgentOptions { ReservedMemoryMiB = reservedMiB });

        Assert.Equal(expectedCpu, resources.Cpu);
        Assert.Equal(expectedMemory, resources.MemoryMib);
    }

    [Fact]
    public void Resources_ConfiguredPorts_AddedToDefaults()
    {
        var resources = HostRegistration.Resources(Host, new AgentOptions { ReservedPorts = "8080,22", ReservedPortsUdp = "53,161" });

        Assert.Equal([22, 2375, 2376, 8080, 51678, 51679], resources.ReservedTcpPorts);
        Assert.Equal([53, 161], resources.ReservedUdpPorts);
    }

    [Fact]
    public void Registration_AwsvpcInterface_OffersTheTaskLimitAndTheTaskEniCapability()
    {
        var options = new AgentOptions { AwsvpcInterface = "eth0", AwsvpcTaskLimit = 12 };

        Assert.Equal(12, HostRegistration.Resources(Host, options).AwsvpcTaskLimit);
        Assert.Contains(HostRegistration.Attributes(Host, options), a => a.Name == "ecs.capability.task-eni" && !a.HasValue);
        Assert.Equal(0, HostRegistration.Resources(Host, new AgentOptions()).AwsvpcTaskLimit);
        Assert.DoesNotContain(HostRegistration.Attributes(Host, new AgentOptions()), a => a.Name == "ecs.capability.task-eni");
        Assert.Equal(0, HostRegistration.Resources(Host with { OsType = "windows" }, options).AwsvpcTaskLimit);
    }

    [Fact]
    public void Resources_NoConfiguredPorts_EcsDefaults()
    {
        var resources = HostRegistration.Resources(Host, new AgentOptions());

        Assert.Equal([22, 2375, 2376, 51678, 51679], resources.ReservedTcpPorts);
        Assert.Empty(resources.ReservedUdpPorts);
    }

    [Fact]
    public void Resources_WindowsHost_WindowsReservedPortsWithoutSsh()
    {
        var resources = HostRegistration.Resources(Host with { OsType = "windows" }, new AgentOptions { ReservedPorts = "8080" });

        Assert.Equal([53, 135, 139, 445, 2375, 2376, 3389, 5985, 5986, 8080, 51678, 51679], resources.ReservedTcpPorts);
    }

    [Fact]
    public void Resources_DynamicPortRange_ToldToTheControlPlane()
    {
        var resources = HostRegistration.Resources(Host, new AgentOptions(), new DynamicPortRange(32768, 60999));
        var fallback = HostRegistration.Resources(Host, new AgentOptions());

        Assert.Equal((32768, 60999), (resources.DynamicPortFirst, resources.DynamicPortLast));
        Assert.Equal((49153, 65535), (fallback.DynamicPortFirst, fallback.DynamicPortLast));
        Assert.Empty(resources.GpuIds);
    }

    [Fact]
    public void Attributes_LinuxHost_BuiltInsCapabilitiesAndCustom()
    {
        var attributes = HostRegistration.Attributes(Host, new AgentOptions { Attributes = "stack=prod,gpu" })
            .ToDictionary(a => a.Name, a => a.HasValue ? a.Value : null);

        Assert.Equal("linux", attributes["ecs.os-type"]);
        Assert.Equal("LINUX", attributes["ecs.os-family"]);
        Assert.Equal("x86_64", attributes["ecs.cpu-architecture"]);
        Assert.Null(attributes["com.amazonaws.ecs.capability.docker-remote-api.1.41"]);
        Assert.Null(attributes["com.amazonaws.ecs.capability.docker-remote-api.1.17"]);
        Assert.False(attributes.ContainsKey("com.amazonaws.ecs.capability.docker-remote-api.1.42"));
        Assert.True(attributes.ContainsKey("ecs.capability.container-health-check"));
        Assert.Equal("prod", attributes["stack"]);
        Assert.Null(attributes["gpu"]);
    }

    [Theory]
    [InlineData("x86_64", "x86_64")]
    [InlineData("amd64", "x86_64")]
    [InlineData("aarch64", "arm64")]
    [InlineData("arm64", "arm64")]
    [InlineData("s390x", "s390x")]
    public void NormalizeArchitecture_DockerValue_EcsValue(string docker, string expected) =>
        Assert.Equal(expected, HostRegistration.NormalizeArchitecture(docker));

    [Fact]
    public void Request_SavedArn_SentWithHostIdentity()
    {
        var request = HostRegistration.Request(Host, new AgentOptions { Cluster = "prod" }, "arn:saved", "mi-0123456789abcdef0", "host1");

        Assert.Equal("prod", request.Cluster);
        Assert.Equal("arn:saved", request.ContainerInstanceArn);
        Assert.Equal("mi-0123456789abcdef0", request.InstanceId);
        Assert.Equal("host1", request.Hostname);
        Assert.Equal("20.10.24+dfsg1", request.VersionInfo.DockerVersion);
        Assert.False(string.IsNullOrEmpty(request.VersionInfo.AgentVersion));
    }

    [Fact]
    public void NewHostId_Generated_ManagedInstanceShape() =>
        Assert.Matches("^mi-[0-9a-f]{17}$", HostIdentity.NewHostId());
}
