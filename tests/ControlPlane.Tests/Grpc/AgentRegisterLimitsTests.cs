using Grpc.Core;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using VersionInfo = Orchestrator.Contracts.Agent.VersionInfo;

namespace Orchestrator.ControlPlane.Tests.Grpc;

/// <summary>
/// Register over the real agent protocol with values no host has: each is refused with InvalidArgument naming the
/// field, and nothing is stored (neither a new instance nor a change to the one re-registering).
/// </summary>
public sealed class AgentRegisterLimitsTests
{
    private static readonly Dictionary<string, Action<RegisterRequest>> Breaks = new()
    {
        ["reserved TCP port -5"] = r => r.Resources.ReservedTcpPorts.Add(-5),
        ["reserved TCP port 70000"] = r => r.Resources.ReservedTcpPorts.Add(70_000),
        ["reserved UDP port 0"] = r => r.Resources.ReservedUdpPorts.Add(0),
        ["101 reserved TCP ports"] = r => r.Resources.ReservedTcpPorts.Add(Enumerable.Range(1_000, 101)),
        ["CPU 2147483647"] = r => r.Resources.Cpu = int.MaxValue,
        ["CPU -1"] = r => r.Resources.Cpu = -1,
        ["memory 2147483647"] = r => r.Resources.MemoryMib = int.MaxValue,
        ["awsvpc limit 5000"] = r => r.Resources.AwsvpcTaskLimit = 5_000,
        ["65 GPUs"] = r => r.Resources.GpuIds.Add(Enumerable.Range(0, 65).Select(i => $"GPU-{i}")),
        ["GPU ID with NUL"] = r => r.Resources.GpuIds.Add("GPU-\0"),
        ["GPU ID of 129"] = r => r.Resources.GpuIds.Add(new string('g', 129)),
        ["20,000 attributes"] = r => r.Attributes.Add(Enumerable.Range(0, 20_000).Select(i => new Contracts.Agent.Attribute { Name = $"ecs.a{i}" })),
        ["11 custom attributes"] = r => r.Attributes.Add(Enumerable.Range(0, 11).Select(i => new Contracts.Agent.Attribute { Name = $"custom{i}", Value = "v" })),
        ["NUL in an attribute name"] = r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = "zone\0" }),
        ["newline ending an attribute name"] = r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = "zone\n" }),
        ["attribute name of 129"] = r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = new string('a', 129) }),
        ["attribute value with a tab"] = r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = "zone", Value = "a\tb" }),
        ["attribute given twice"] = r => r.Attributes.Add(new Contracts.Agent.Attribute { Name = "ecs.os-type", Value = "windows" }),
        ["hostname of 100,000"] = r => r.Hostname = new string('h', 100_000),
        ["hostname with an escape"] = r => r.Hostname = "host\u001b[2J",
        ["instance ID of 256"] = r => r.InstanceId = new string('i', 256),
        ["agent version with NUL"] = r => r.VersionInfo = new VersionInfo { AgentVersion = "1.0\0" },
        ["cluster of 3000"] = r => r.Cluster = new string('c', 3_000),
    };

    public static TheoryData<string, string> Cases => new()
    {
        { "reserved TCP port -5", "resources.reserved_tcp_ports: -5 is not a port" },
        { "reserved TCP port 70000", "resources.reserved_tcp_ports: 70000 is not a port" },
        { "reserved UDP port 0", "resources.reserved_udp_ports: 0 is not a port" },
        { "101 reserved TCP ports", "resources.reserved_tcp_ports holds 106 ports; at most 100" },
        { "CPU 2147483647", "resources.cpu must be between 1 and 8388608" },
        { "CPU -1", "resources.cpu must be between 1 and 8388608" },
        { "memory 2147483647", "resources.memory_mib must be between 1 and 67108864" },
        { "awsvpc limit 5000", "resources.awsvpc_task_limit must be between 0 and 1024" },
        { "65 GPUs", "resources.gpu_ids holds 65 IDs; at most 64" },
        { "GPU ID with NUL", "resources.gpu_ids[0] must not hold control characters" },
        { "GPU ID of 129", "resources.gpu_ids[0] is 129 characters long; at most 128" },
        { "20,000 attributes", "attributes holds 20001 attributes; at most 100" },
        { "11 custom attributes", "attributes holds 11 custom attributes" },
        { "NUL in an attribute name", "attributes[1].name must be 1 to 128 letters" },
        { "newline ending an attribute name", "attributes[1].name must be 1 to 128 letters" },
        { "attribute name of 129", "attributes[1].name must be 1 to 128 letters" },
        { "attribute value with a tab", "attributes[1].value (of zone) must be 1 to 128 letters" },
        { "attribute given twice", "attributes[1].name: ecs.os-type is given more than once" },
        { "hostname of 100,000", "hostname is 100000 characters long; at most 255" },
        { "hostname with an escape", "hostname must not hold control characters" },
        { "instance ID of 256", "instance_id is 256 characters long; at most 255" },
        { "agent version with NUL", "version_info.agent_version must not hold control characters" },
        { "cluster of 3000", "cluster is 3000 characters long; at most 2048" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Register_ValueNoHostHas_IsRefusedNamingTheField_NothingStored(string @case, string expected)
    {
        await using var controlPlane = new InProcessControlPlane();
        await controlPlane.StartAsync();
        var arn = await TestAgent.RegisterAsync(controlPlane.Agents, "host");
        await using var agent = await TestAgent.ConnectAsync(controlPlane.Agents, arn);

        var fresh = TestAgent.Registration("host");
        Breaks[@case](fresh);
        var again = TestAgent.Registration("host", arn);
        Breaks[@case](again);
        var refused = await Assert.ThrowsAsync<RpcException>(() => controlPlane.Agents.RegisterAsync(fresh, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        var refusedAgain = await Assert.ThrowsAsync<RpcException>(() => controlPlane.Agents.RegisterAsync(again, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith(expected, refused.Status.Detail, StringComparison.Ordinal);
        Assert.True(refused.Status.Detail.Length < 400, "the refusal echoes the value");
        Assert.Equal(refused.Status.Detail, refusedAgain.Status.Detail);
        var listed = EcsJson.Deserialize<ListContainerInstancesResponse>(await controlPlane.CallAsync("ListContainerInstances", "{}"));
        Assert.Equal([arn], listed.ContainerInstanceArns);
        var instance = Assert.Single(EcsJson.Deserialize<DescribeContainerInstancesResponse>(await controlPlane.CallAsync(
            "DescribeContainerInstances", EcsJson.Serialize(new DescribeContainerInstancesRequest { ContainerInstances = [arn] }))).ContainerInstances);
        Assert.Equal(4096, instance.RegisteredResources.Single(r => r.Name == "CPU").IntegerValue);
        Assert.Equal(["22", "2375", "2376", "51678", "51679"], instance.RegisteredResources.Single(r => r.Name == "PORTS").StringSetValue!);
        Assert.True(instance.AgentConnected);
    }

    [Fact]
    public async Task Register_WhatARealAgentSends_IsAccepted()
    {
        await using var controlPlane = new InProcessControlPlane();
        await controlPlane.StartAsync();
        var request = TestAgent.Registration("host");
        request.Resources.Cpu = 64 * 1024;
        request.Resources.MemoryMib = 2 * 1024 * 1024;
        request.Resources.DynamicPortFirst = 49153;
        request.Resources.DynamicPortLast = 65535;
        request.Resources.AwsvpcTaskLimit = 1024;
        request.Resources.GpuIds.Add(Enumerable.Range(0, 8).Select(i => $"GPU-8f5c2b1e-0d4a-4c7b-9a3e-{i:000000000000}"));
        request.Attributes.Add(new Contracts.Agent.Attribute { Name = "ecs.cpu-architecture", Value = "x86_64" });
        request.Attributes.Add(new Contracts.Agent.Attribute { Name = "ecs.os-family", Value = "LINUX" });
        request.Attributes.Add(Enumerable.Range(17, 35).Select(m => new Contracts.Agent.Attribute { Name = $"com.amazonaws.ecs.capability.docker-remote-api.1.{m}" }));
        request.Attributes.Add(new Contracts.Agent.Attribute { Name = "ecs.capability.container-health-check" });
        request.Attributes.Add(Enumerable.Range(0, RegistrationLimits.MaxCustomAttributes).Select(i => new Contracts.Agent.Attribute { Name = $"zone{i}", Value = "rack 7: us-east/1a@dc" }));
        request.VersionInfo = new VersionInfo { AgentVersion = "1.4.0+3c6c5d2", AgentHash = "3c6c5d2", DockerVersion = "24.0.5" };

        var registered = await controlPlane.Agents.RegisterAsync(request, cancellationToken: TestContext.Current.CancellationToken);

        Assert.StartsWith("arn:aws:ecs:", registered.ContainerInstanceArn, StringComparison.Ordinal);
    }
}
