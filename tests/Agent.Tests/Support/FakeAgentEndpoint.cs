using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Tests.Support;

/// <summary>
/// A control plane for session tests: a real gRPC server on a loopback port that records what the agent sends, can
/// acknowledge automatically, and can be told to refuse or drop sessions.
/// </summary>
internal sealed class FakeAgentEndpoint : AgentService.AgentServiceBase, IAsyncDisposable
{
    public const string InstanceArn = "arn:aws:ecs:us-east-1:000000000000:container-instance/default/00000000000000000000000000000001";
    public const string ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/default";

    private WebApplication? _app;

    public string Address { get; private set; } = "";

    public ConcurrentQueue<RegisterRequest> Registrations { get; } = new();

    /// <summary>Sessions in the order the agent opened them.</summary>
    public Channel<FakeSession> Sessions { get; } = Channel.CreateUnbounded<FakeSession>();

    /// <summary>Register answers Unavailable this many more times.</summary>
    public int RegisterFailures { get; set; }

    /// <summary>Sessions answer NotFound (the instance is unknown) this many more times.</summary>
    public int SessionNotFound { get; set; }

    /// <summary>Acknowledge the hello and every state change as soon as it arrives.</summary>
    public bool AutoAcknowledge { get; set; } = true;

    public static async Task<FakeAgentEndpoint> StartAsync()
    {
        var plane = new FakeAgentEndpoint();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(plane);
        plane._app = builder.Build();
        plane._app.MapGrpcService<FakeAgentEndpoint>();
        await plane._app.StartAsync(TestContext.Current.CancellationToken);
        plane.Address = plane._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return plane;
    }

    public async Task<FakeSession> NextSessionAsync() =>
        await Sessions.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(StoreWaits.DefaultTimeout, TestContext.Current.CancellationToken);

    public override Task<RegisterResponse> Register(RegisterRequest request, ServerCallContext context)
    {
        Registrations.Enqueue(request);
        if (RegisterFailures > 0)
        {
            RegisterFailures--;
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "starting up"));
        }

        return Task.FromResult(new RegisterResponse { ContainerInstanceArn = InstanceArn, ClusterArn = ClusterArn });
    }

    public override async Task Session(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControlMessage> responseStream, ServerCallContext context)
    {
        var session = new FakeSession();
        Sessions.Writer.TryWrite(session);
        if (SessionNotFound > 0)
        {
            SessionNotFound--;
            throw new RpcException(new Grpc.Core.Status(StatusCode.NotFound, "Container instance not found."));
        }

        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, session.Dropped);
        var writer = Task.Run(async () =>
        {
            await foreach (var message in session.Outgoing.Reader.ReadAllAsync(ended.Token))
            {
                await responseStream.WriteAsync(message, ended.Token);
            }
        }, CancellationToken.None);
        try
        {
            while (await requestStream.MoveNext(ended.Token))
            {
                var message = requestStream.Current;
                session.Received.Writer.TryWrite(message);
                if (AutoAcknowledge)
                {
                    var through = message.KindCase switch
                    {
                        AgentMessage.KindOneofCase.Hello => message.Hello.ThroughSequence,
                        AgentMessage.KindOneofCase.StateChange => message.StateChange.Sequence,
                        _ => (ulong?)null,
                    };
                    if (through is { } sequence)
                    {
                        session.Send(new ControlMessage { Ack = new Acknowledge { ThroughSequence = sequence } });
                    }
                }
            }
        }
        catch (OperationCanceledException) when (session.Dropped.IsCancellationRequested)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "dropped by the test"));
        }
        finally
        {
            session.Outgoing.Writer.TryComplete();
            try
            {
                await writer;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}

internal sealed class FakeSession
{
    private readonly CancellationTokenSource _drop = new();

    public Channel<AgentMessage> Received { get; } = Channel.CreateUnbounded<AgentMessage>();

    public Channel<ControlMessage> Outgoing { get; } = Channel.CreateUnbounded<ControlMessage>();

    public CancellationToken Dropped => _drop.Token;

    public void Send(ControlMessage message) => Outgoing.Writer.TryWrite(message);

    public void Drop() => _drop.Cancel();

    /// <summary>The next message of the given kind, skipping others (heartbeats, usually).</summary>
    public async Task<AgentMessage> NextAsync(AgentMessage.KindOneofCase kind)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(StoreWaits.DefaultTimeout);
        while (true)
        {
            var message = await Received.Reader.ReadAsync(timeout.Token);
            if (message.KindCase == kind)
            {
                return message;
            }
        }
    }
}
