using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Tests;

/// <summary>How failures reach the user: ECS errors as the AWS CLI prints them, connection problems, usage errors.</summary>
public sealed class ErrorReportingTests
{
    [Fact]
    public async Task Call_EcsErrorTrailer_PrintsAwsStyleMessageAndExits254()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.Fail("RunTask", "ClusterNotFoundException", "Cluster not found.");

        var result = await CliHarness.RunAsync(server, "task", "run", "--cluster", "nope", "--task-definition", "web");

        Assert.Equal(254, result.ExitCode);
        Assert.Equal("An error occurred (ClusterNotFoundException) when calling the RunTask operation: Cluster not found.", result.Stderr.Trim());
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Call_ServerErrorWithoutTrailer_NamesTheGrpcStatus()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("ListClusters", _ => throw new RpcException(new Status(StatusCode.Internal, "boom")));

        var result = await CliHarness.RunAsync(server, "cluster", "list");

        Assert.Equal(254, result.ExitCode);
        Assert.Equal("An error occurred (Internal) when calling the ListClusters operation: boom", result.Stderr.Trim());
    }

    [Fact]
    public async Task Watch_EcsErrorTrailer_PrintsAwsStyleMessageAndExits254()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RunTask", new TasksResponse([Canned.Task(Canned.TaskId1, "PENDING")], []));
        server.Api.FailWatch("ClusterNotFoundException", "Cluster not found.");

        var result = await CliHarness.RunAsync(server, "task", "run", "--task-definition", "web", "--wait");

        Assert.Equal(254, result.ExitCode);
        Assert.Equal("An error occurred (ClusterNotFoundException) when calling the WatchTasks operation: Cluster not found.", result.Stderr.Trim());
    }

    [Fact]
    public async Task Call_NothingListeningAtTheEndpoint_PrintsConnectionErrorAndExits255()
    {
        var endpoint = $"http://127.0.0.1:{FreePort()}";

        var result = await CliHarness.RunAsync(
            ["cluster", "list", "--endpoint", endpoint], TimeProvider.System, _ => null);

        Assert.Equal(255, result.ExitCode);
        Assert.StartsWith($"Could not connect to the control plane at {endpoint}: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoint_FromOrchEndpointVariable_IsUsedWhenNoOptionIsGiven()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("ListClusters", new ListClustersResponse([], null));
        server.Api.On("DescribeClusters", new DescribeClustersResponse([], []));

        var result = await CliHarness.RunAsync(
            ["cluster", "list"], TimeProvider.System, name => name == "ORCH_ENDPOINT" ? server.Url : null);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("ListClusters", server.Api.Calls.First().Action);
    }

    [Fact]
    public async Task Endpoint_NotAnHttpUrl_ExplainsAndExits255()
    {
        var result = await CliHarness.RunAsync(["cluster", "list", "--endpoint", "localhost:7070"], TimeProvider.System, _ => null);

        Assert.Equal(255, result.ExitCode);
        Assert.Contains("The endpoint 'localhost:7070' is not an http:// or https:// URL", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cluster", "frobnicate")]
    [InlineData("task", "run")]
    [InlineData("cluster", "list", "--output", "yaml")]
    public async Task Parse_InvalidUsage_PrintsAnErrorAndExitsNonZero(params string[] args)
    {
        var result = await CliHarness.RunAsync(args, TimeProvider.System, _ => null);

        Assert.NotEqual(0, result.ExitCode);
        Assert.NotEqual(254, result.ExitCode);
        Assert.NotEqual("", result.Stderr);
    }

    [Theory]
    [InlineData(new[] { "task", "list", "--bogus" }, "orch: Unrecognized command or argument '--bogus'. (see orch task list --help)")]
    [InlineData(new[] { "--bogus" }, "orch: Unrecognized command or argument '--bogus'. (see orch --help)")]
    [InlineData(new[] { "cluster", "frobnicate" }, "orch: Unrecognized command or argument 'frobnicate'. (see orch cluster --help)")]
    public async Task Parse_UnknownOption_RefusedInOneLineWithExit252(string[] args, string expected)
    {
        var result = await CliHarness.RunAsync(args, TimeProvider.System, _ => null);

        Assert.Equal(252, result.ExitCode);
        Assert.Equal(expected, result.Stderr.Trim());
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Help_PrintsUsageAndExits0()
    {
        var result = await CliHarness.RunAsync(["task", "run", "--help"], TimeProvider.System, _ => null);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--task-definition", result.Stdout, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
