using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Orchestrator.Contracts.Agent;
using Orchestrator.Contracts.Cluster;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Grpc;

/// <summary>
/// The real control plane in-process (TestServer) on a temporary data directory, with agents registered and their
/// sessions open over the agent protocol, and the cluster API to call.
/// </summary>
internal sealed class InProcessControlPlane : IAsyncDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orch-cp-inproc-" + Guid.NewGuid().ToString("N"));
    private readonly List<AsyncDuplexStreamingCall<AgentMessage, ControlMessage>> _sessions = [];
    private WebApplication? _app;
    private GrpcChannel? _channel;

    public ClusterApi.ClusterApiClient Api => new(_channel);

    /// <summary>The agent protocol's client, as agents call it.</summary>
    public AgentService.AgentServiceClient Agents => new(_channel);

    /// <summary>The control plane's services (its sessions, its state store).</summary>
    public IServiceProvider Services => _app!.Services;

    public Task StartAsync(params string[] arguments) => StartAsync(null, arguments);

    /// <param name="configure">Changes the host before it is built (e.g. adds a logging provider).</param>
    public async Task StartAsync(Action<WebApplicationBuilder>? configure, params string[] arguments)
    {
        _app = ControlPlaneApp.Build([$"--data-dir={_dataDir}", "--insecure", .. arguments], b =>
        {
            b.WebHost.UseTestServer();
            configure?.Invoke(b);
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = _app.GetTestServer().CreateHandler() });
    }

    /// <summary>Registers a host with these resources and opens its session (the hello acknowledged).</summary>
    public async Task ConnectAgentAsync(string hostname, HostResources resources)
    {
        var token = TestContext.Current.CancellationToken;
        var agents = new AgentService.AgentServiceClient(_channel);
        var registered = await agents.RegisterAsync(new RegisterRequest { Cluster = "default", Resources = resources, Hostname = hostname }, cancellationToken: token);
        var session = agents.Session(cancellationToken: token);
        var hello = new SessionHello { ContainerInstanceArn = registered.ContainerInstanceArn, HeartbeatInterval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) };
        await session.RequestStream.WriteAsync(new AgentMessage { Hello = hello }, token);
        Assert.True(await session.ResponseStream.MoveNext(token)); // the acknowledgement of the hello: the session is open
        _sessions.Add(session);
    }

    /// <summary>Calls one ECS action through the cluster API and returns its response document.</summary>
    public async Task<string> CallAsync(string action, string json) =>
        (await Api.CallAsync(new EcsCall { Action = action, Json = json }, cancellationToken: TestContext.Current.CancellationToken)).Json;

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            session.Dispose();
        }

        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }
}

/// <summary>
/// The one-writer rule on the real control plane: agents registered and connected over the agent protocol, then many
/// RunTask calls at once through the cluster API. Placement plans in parallel; commits re-check.
/// </summary>
public sealed class ConcurrentRunTaskTests
{
    [Fact]
    public async Task TwentyParallelRunTasksOfTen_RoomForExactlyOneHundred_PlaceExactlyOneHundred()
    {
        await using var controlPlane = new InProcessControlPlane();
        await controlPlane.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            // 4 instances with room for 25 tasks of 100 MiB each.
            await controlPlane.ConnectAgentAsync($"host{i}", new HostResources { Cpu = 1_000_000, MemoryMib = 2_500 });
        }

        await controlPlane.CallAsync("RegisterTaskDefinition", """{"family":"load","containerDefinitions":[{"name":"c","image":"local/busybox:1","memory":100,"cpu":1}]}""");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
            EcsJson.Deserialize<TasksResponse>(await controlPlane.CallAsync("RunTask", """{"taskDefinition":"load","count":10}"""))));

        Assert.Equal(100, responses.Sum(r => r.Tasks.Count));
        Assert.All(responses.Where(r => r.Tasks.Count < 10), r => Assert.All(r.Failures, f => Assert.Equal("RESOURCE:MEMORY", f.Reason)));
        Assert.Contains(responses, r => r.Tasks.Count < 10);

        var instances = EcsJson.Deserialize<DescribeContainerInstancesResponse>(await controlPlane.CallAsync(
            "DescribeContainerInstances",
            EcsJson.Serialize(new DescribeContainerInstancesRequest { ContainerInstances = responses.SelectMany(r => r.Tasks).Select(t => t.ContainerInstanceArn!).Distinct().ToList() })));
        Assert.Equal(4, instances.ContainerInstances.Count);
        Assert.All(instances.ContainerInstances, i => Assert.Equal(0, i.RemainingResources.Single(r => r.Name == "MEMORY").IntegerValue));
    }
}

/// <summary>
/// The same for addresses: many awsvpc RunTasks at once against one subnet, through the real control plane configured
/// with <c>--subnet</c>. Every address goes to one task at most, and the pool's end is a placement failure.
/// </summary>
public sealed class ConcurrentAwsvpcRunTaskTests
{
    [Fact]
    public async Task TwentyParallelRunTasksOfFive_FiftyAddresses_EachAddressGoesToOneTask()
    {
        await using var controlPlane = new InProcessControlPlane();
        await controlPlane.StartAsync("--subnet", "subnet-a cidr=10.50.0.0/24 range=10.50.0.100-10.50.0.149");
        for (var i = 0; i < 3; i++)
        {
            await controlPlane.ConnectAgentAsync($"host{i}", new HostResources { Cpu = 1_000_000, MemoryMib = 1_000_000, AwsvpcTaskLimit = 100 });
        }

        await controlPlane.CallAsync("RegisterTaskDefinition", """{"family":"api","networkMode":"awsvpc","containerDefinitions":[{"name":"c","image":"local/busybox:1","memory":10}]}""");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
            EcsJson.Deserialize<TasksResponse>(await controlPlane.CallAsync("RunTask", """{"taskDefinition":"api","count":5}"""))));

        var addresses = responses.SelectMany(r => r.Tasks).Select(t => t.Attachments![0].Details.Single(d => d.Name == "privateIPv4Address").Value).ToList();
        Assert.Equal(50, addresses.Count);
        Assert.Equal(50, addresses.Distinct().Count());
        Assert.All(addresses, a => Assert.StartsWith("10.50.0.1", a, StringComparison.Ordinal));
        Assert.All(responses.SelectMany(r => r.Failures), f => Assert.Equal("RESOURCE:ENI", f.Reason));
        Assert.Equal(3, responses.SelectMany(r => r.Tasks).Select(t => t.ContainerInstanceArn).Distinct().Count());
    }
}
