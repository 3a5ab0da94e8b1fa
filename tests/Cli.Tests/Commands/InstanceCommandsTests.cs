using System.Text.Json.Nodes;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class InstanceCommandsTests
{
    private static ContainerInstance Instance() => new()
    {
        ContainerInstanceArn = Canned.InstanceArn(),
        Ec2InstanceId = "i-lab1",
        Status = ContainerInstanceStatus.Active,
        AgentConnected = true,
        RunningTasksCount = 2,
        RegisteredResources =
        [
            Resource.Integer(ResourceNames.Cpu, 2048),
            Resource.Integer(ResourceNames.Memory, 3936),
            Resource.StringSet(ResourceNames.Ports, [22, 2375, 2376, 51678, 51679]),
        ],
        RemainingResources =
        [
            Resource.Integer(ResourceNames.Cpu, 1536),
            Resource.Integer(ResourceNames.Memory, 2912),
            Resource.StringSet(ResourceNames.Ports, [22, 80, 2375, 2376, 51678, 51679]),
            Resource.StringSet(ResourceNames.PortsUdp, [53]),
        ],
        Attributes = [new() { Name = "ecs.os-type", Value = "linux" }, new() { Name = "ecs.cpu-architecture", Value = "x86_64" }],
        VersionInfo = new VersionInfo("0.3.0", "abc123", "20.10.24"),
    };

    [Fact]
    public async Task List_OneInstance_ShowsFreeOverTotalCpuAndMemory()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("ListContainerInstances", new ListContainerInstancesResponse([Canned.InstanceArn()], null));
        server.Api.On("DescribeContainerInstances", new DescribeContainerInstancesResponse([Instance()], []));

        var result = await CliHarness.RunAsync(server, "instance", "list", "--cluster", "lab");

        Assert.Equal(0, result.ExitCode);
        JsonAssert.Equal("""{"cluster":"lab"}""", server.Api.CallsTo("ListContainerInstances")[0].Json);
        JsonAssert.Equal(
            $$"""{"cluster":"lab","containerInstances":["{{Canned.InstanceArn()}}"]}""", server.Api.CallsTo("DescribeContainerInstances")[0].Json);
        Assert.Matches(@"(?m)^INSTANCE ID\s+EC2 ID\s+STATUS\s+CONNECTED\s+RUNNING\s+CPU FREE/TOTAL\s+MEMORY FREE/TOTAL\s+AGENT\s*$", result.Stdout);
        Assert.Matches($@"(?m)^{Canned.InstanceId}\s+i-lab1\s+ACTIVE\s+yes\s+2\s+1536/2048\s+2912/3936\s+0\.3\.0\s*$", result.Stdout);
    }

    [Fact]
    public async Task List_NoInstances_SaysSoWithoutDescribing()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("ListContainerInstances", new ListContainerInstancesResponse([], null));

        var result = await CliHarness.RunAsync(server, "instance", "list");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("No container instances in cluster default.", result.Stdout.Trim());
        Assert.Empty(server.Api.CallsTo("DescribeContainerInstances"));
    }

    [Fact]
    public async Task Describe_Instance_ShowsAttributesAndReservedPorts()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("DescribeContainerInstances", new DescribeContainerInstancesResponse([Instance()], []));

        var result = await CliHarness.RunAsync(server, "instance", "describe", Canned.InstanceId);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"(?m)^Ports in use \(TCP\):\s+22, 80, 2375, 2376, 51678, 51679\s*$", result.Stdout);
        Assert.Matches(@"(?m)^Ports in use \(UDP\):\s+53\s*$", result.Stdout);
        Assert.Matches(@"(?m)^ecs\.cpu-architecture\s+x86_64\s*$", result.Stdout);
        Assert.Matches(@"(?m)^ecs\.os-type\s+linux\s*$", result.Stdout);
        Assert.DoesNotContain("Usage:", result.Stdout, StringComparison.Ordinal); // the fake, like an older control plane, cannot say
    }

    [Fact]
    public async Task Describe_Instance_ShowsTheUsageItsAgentReported()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("DescribeContainerInstances", new DescribeContainerInstancesResponse([Instance()], []));
        server.Api.Usage = new Orchestrator.Contracts.Cluster.InstanceUsageReply
        {
            Reported = true,
            ReportedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            CpuPercent = 50,
            MemoryUsedBytes = 300L * 1024 * 1024,
            RunningContainers = 3,
        };

        var result = await CliHarness.RunAsync(server, "instance", "describe", Canned.InstanceId);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"(?m)^Usage: +CPU 50\.0 % .*memory 300\.0 MiB.*, 3 running containers", result.Stdout);
    }

    [Fact]
    public async Task Describe_InstanceWithDynamicPortsAwsvpcAndGpus_ShowsWhatIsFree()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        var instance = Instance() with
        {
            RegisteredResources =
            [
                .. Instance().RegisteredResources,
                Resource.Integer(ResourceNames.DynamicPorts, 28232),
                Resource.Integer(ResourceNames.DynamicPortsUdp, 28232),
                Resource.Integer(ResourceNames.AwsvpcTasks, 16),
                Resource.StringSet(ResourceNames.Gpu, ["GPU-0", "GPU-1"]),
            ],
            RemainingResources =
            [
                .. Instance().RemainingResources,
                Resource.Integer(ResourceNames.DynamicPorts, 28230),
                Resource.Integer(ResourceNames.DynamicPortsUdp, 28232),
                Resource.Integer(ResourceNames.AwsvpcTasks, 15),
                Resource.StringSet(ResourceNames.Gpu, ["GPU-1"]),
            ],
        };
        server.Api.On("DescribeContainerInstances", new DescribeContainerInstancesResponse([instance], []));

        var result = await CliHarness.RunAsync(server, "instance", "describe", Canned.InstanceId);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"(?m)^Dynamic ports free \(TCP\):\s+28230/28232\s*$", result.Stdout);
        Assert.Matches(@"(?m)^Dynamic ports free \(UDP\):\s+28232/28232\s*$", result.Stdout);
        Assert.Matches(@"(?m)^awsvpc tasks free:\s+15/16\s*$", result.Stdout);
        Assert.Matches(@"(?m)^GPUs free:\s+GPU-1\s*$", result.Stdout);
    }

    [Fact]
    public async Task Describe_InstanceWithoutThem_LeavesThoseRowsOut()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("DescribeContainerInstances", new DescribeContainerInstancesResponse([Instance()], []));

        var result = await CliHarness.RunAsync(server, "instance", "describe", Canned.InstanceId);

        Assert.DoesNotContain("Dynamic ports", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("awsvpc", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("GPUs", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_JsonOutput_PrintsTheDescribeContainerInstancesResponse()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("DescribeContainerInstances", new DescribeContainerInstancesResponse([Instance()], []));

        var result = await CliHarness.RunAsync(server, "instance", "describe", Canned.InstanceId, "-o", "json");

        Assert.Equal(0, result.ExitCode);
        var document = JsonNode.Parse(result.Stdout)!;
        Assert.Equal(1536, (int)document["containerInstances"]![0]!["remainingResources"]![0]!["integerValue"]!);
    }
}
