using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Registration;
using Orchestrator.Agent.Tests.Support;

namespace Orchestrator.Agent.Tests.Registration;

/// <summary>The host's GPUs: found with nvidia-smi or the device nodes, or configured, and registered as its GPU resource.</summary>
public sealed class GpuDetectionTests
{
    private static readonly DockerHostInfo Host = new(4, 16L * 1024 * 1024 * 1024, "linux", "x86_64", "20.10.24", "1.41");

    [Fact]
    public void ParseNvidiaSmiList_TwoGpusAndAMigDevice_TheGpusUuidsInOrder()
    {
        const string output = """
            GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-5a3c1c9a-8d7e-4f1e-b5b5-2c5b7e2c1234)
              MIG 1g.5gb      Device  0: (UUID: MIG-2c8e3f4a-1b2c-5d6e-7f80-91a2b3c4d5e6)
            GPU 1: Tesla T4 (UUID: GPU-0f9e8d7c-6b5a-4938-2716-05f4e3d2c1b0)

            """;

        Assert.Equal(["GPU-5a3c1c9a-8d7e-4f1e-b5b5-2c5b7e2c1234", "GPU-0f9e8d7c-6b5a-4938-2716-05f4e3d2c1b0"], NvidiaGpuProbe.ParseNvidiaSmiList(output));
    }

    [Theory]
    [InlineData("")]
    [InlineData("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")]
    [InlineData("No devices were found")]
    public void ParseNvidiaSmiList_NoGpuLines_None(string output) => Assert.Empty(NvidiaGpuProbe.ParseNvidiaSmiList(output));

    [Fact]
    public void DeviceNodeIndexes_OnlyNumberedNodesInNumericOrder() =>
        Assert.Equal(["0", "1", "10"], NvidiaGpuProbe.DeviceNodeIndexes(["nvidiactl", "nvidia10", "nvidia-uvm", "nvidia1", "nvidia0", "nvidia-modeset", "null"]));

    [Fact]
    public async Task Resolve_Configured_UsedWithoutProbing()
    {
        var probe = new FakeGpuProbe("GPU-found");

        var gpus = await HostGpus.ResolveAsync(new AgentOptions { Gpus = "GPU-a, GPU-b,GPU-a" }, probe, TestContext.Current.CancellationToken);

        Assert.Equal(["GPU-a", "GPU-b"], gpus);
        Assert.Equal(0, probe.Probes);
    }

    [Fact]
    public async Task Resolve_NoneConfigured_WhatTheProbeFinds()
    {
        var gpus = await HostGpus.ResolveAsync(new AgentOptions(), new FakeGpuProbe("GPU-a"), TestContext.Current.CancellationToken);

        Assert.Equal(["GPU-a"], gpus);
    }

    [Fact]
    public async Task Resolve_ProbeOff_None()
    {
        var probe = new FakeGpuProbe("GPU-a");

        Assert.Empty(await HostGpus.ResolveAsync(new AgentOptions { GpuProbe = false }, probe, TestContext.Current.CancellationToken));
        Assert.Equal(0, probe.Probes);
    }

    [Fact]
    public void Request_Gpus_OfferedAsTheInstancesGpuResource()
    {
        var request = HostRegistration.Request(Host, new AgentOptions(), null, "host-1", "h", gpuIds: ["GPU-a", "GPU-b"]);

        Assert.Equal(["GPU-a", "GPU-b"], request.Resources.GpuIds);
        Assert.Empty(HostRegistration.Request(Host, new AgentOptions(), null, "host-1", "h").Resources.GpuIds);
    }
}
