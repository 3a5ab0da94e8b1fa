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
/// The one-writer rule on the real control plane: agents registered and connected over the agent protocol, then many
/// RunTask calls at once through the cluster API. Placement plans in parallel; commits re-check.
/// </summary>
public sealed class ConcurrentRunTaskTests : IAsyncLifetime
{
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), "orch-cp-concurrent-" + Guid.NewGuid().ToString("N"));
    private readonly List<AsyncDuplexStreamingCall<AgentMessage, ControlMessage>> sessions = [];
    private WebApplication? app;
    private GrpcChannel? channel;

    public async ValueTask InitializeAsync()
    {
        app = ControlPlaneApp.Build([$"--data-dir={dataDir}"], b => b.WebHost.UseTestServer());
        await app.StartAsync(TestContext.Current.CancellationToken);
        channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = app.GetTestServer().CreateHandler() });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in sessions)
        {
            session.Dispose();
        }

        channel?.Dispose();
        if (app is not null)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }

        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task TwentyParallelRunTasksOfTen_RoomForExactlyOneHundred_PlaceExactlyOneHundred()
    {
        var token = TestContext.Current.CancellationToken;
        var agents = new AgentService.AgentServiceClient(channel);
        var api = new ClusterApi.ClusterApiClient(channel);
        for (var i = 0; i < 4; i++)
        {
            // 4 instances with room for 25 tasks of 100 MiB each.
            var registered = await agents.RegisterAsync(new RegisterRequest
            {
                Cluster = "default",
                Resources = new HostResources { Cpu = 1_000_000, MemoryMib = 2_500 },
                Hostname = $"host{i}",
            }, cancellationToken: token);
            var session = agents.Session(cancellationToken: token);
            await session.RequestStream.WriteAsync(new AgentMessage { Hello = new SessionHello { ContainerInstanceArn = registered.ContainerInstanceArn } }, token);
            Assert.True(await session.ResponseStream.MoveNext(token)); // the acknowledgement of the hello: the session is open
            sessions.Add(session);
        }

        await api.CallAsync(new EcsCall
        {
            Action = "RegisterTaskDefinition",
            Json = """{"family":"load","containerDefinitions":[{"name":"c","image":"local/busybox:1","memory":100,"cpu":1}]}""",
        }, cancellationToken: token);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            var reply = await api.CallAsync(new EcsCall { Action = "RunTask", Json = """{"taskDefinition":"load","count":10}""" }, cancellationToken: token);
            return EcsJson.Deserialize<TasksResponse>(reply.Json);
        }));

        Assert.Equal(100, responses.Sum(r => r.Tasks.Count));
        Assert.All(responses.Where(r => r.Tasks.Count < 10), r => Assert.All(r.Failures, f => Assert.Equal("RESOURCE:MEMORY", f.Reason)));
        Assert.Contains(responses, r => r.Tasks.Count < 10);

        var instances = EcsJson.Deserialize<DescribeContainerInstancesResponse>((await api.CallAsync(new EcsCall
        {
            Action = "DescribeContainerInstances",
            Json = EcsJson.Serialize(new DescribeContainerInstancesRequest { ContainerInstances = responses.SelectMany(r => r.Tasks).Select(t => t.ContainerInstanceArn!).Distinct().ToList() }),
        }, cancellationToken: token)).Json);
        Assert.Equal(4, instances.ContainerInstances.Count);
        Assert.All(instances.ContainerInstances, i => Assert.Equal(0, i.RemainingResources.Single(r => r.Name == "MEMORY").IntegerValue));
    }
}

/// <summary>
/// The same for addresses: many awsvpc RunTasks at once against one subnet, through the real control plane configured
/// with <c>--subnet</c>. Every address goes to one task at most, and the pool's end is a placement failure.
/// </summary>
public sealed class ConcurrentAwsvpcRunTaskTests : IAsyncLifetime
{
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), "orch-cp-awsvpc-" + Guid.NewGuid().ToString("N"));
    private readonly List<AsyncDuplexStreamingCall<AgentMessage, ControlMessage>> sessions = [];
    private WebApplication? app;
    private GrpcChannel? channel;

    public async ValueTask InitializeAsync()
    {
        app = ControlPlaneApp.Build([$"--data-dir={dataDir}", "--subnet", "subnet-a cidr=10.50.0.0/24 range=10.50.0.100-10.50.0.149"], b => b.WebHost.UseTestServer());
        await app.StartAsync(TestContext.Current.CancellationToken);
        channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = app.GetTestServer().CreateHandler() });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in sessions)
        {
            session.Dispose();
        }

        channel?.Dispose();
        if (app is not null)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }

        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task TwentyParallelRunTasksOfFive_FiftyAddresses_EachAddressGoesToOneTask()
    {
        var token = TestContext.Current.CancellationToken;
        var agents = new AgentService.AgentServiceClient(channel);
        var api = new ClusterApi.ClusterApiClient(channel);
        for (var i = 0; i < 3; i++)
        {
            var registered = await agents.RegisterAsync(new RegisterRequest
            {
                Cluster = "default",
                Resources = new HostResources { Cpu = 1_000_000, MemoryMib = 1_000_000, AwsvpcTaskLimit = 100 },
                Hostname = $"host{i}",
            }, cancellationToken: token);
            var session = agents.Session(cancellationToken: token);
            await session.RequestStream.WriteAsync(new AgentMessage { Hello = new SessionHello { ContainerInstanceArn = registered.ContainerInstanceArn } }, token);
            Assert.True(await session.ResponseStream.MoveNext(token));
            sessions.Add(session);
        }

        await api.CallAsync(new EcsCall
        {
            Action = "RegisterTaskDefinition",
            Json = """{"family":"api","networkMode":"awsvpc","containerDefinitions":[{"name":"c","image":"local/busybox:1","memory":10}]}""",
        }, cancellationToken: token);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            var reply = await api.CallAsync(new EcsCall { Action = "RunTask", Json = """{"taskDefinition":"api","count":5}""" }, cancellationToken: token);
            return EcsJson.Deserialize<TasksResponse>(reply.Json);
        }));

        var addresses = responses.SelectMany(r => r.Tasks).Select(t => t.Attachments![0].Details.Single(d => d.Name == "privateIPv4Address").Value).ToList();
        Assert.Equal(50, addresses.Count);
        Assert.Equal(50, addresses.Distinct().Count());
        Assert.All(addresses, a => Assert.StartsWith("10.50.0.1", a, StringComparison.Ordinal));
        Assert.All(responses.SelectMany(r => r.Failures), f => Assert.Equal("RESOURCE:ENI", f.Reason));
        Assert.Equal(3, responses.SelectMany(r => r.Tasks).Select(t => t.ContainerInstanceArn).Distinct().Count());
    }
}
