using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Tests.Support;

/// <summary>
/// A secure control plane for the agent's TLS tests: Kestrel on a loopback port, HTTP/2 over TLS with a server
/// certificate of a test CA, asking for (and accepting any) client certificate and checking it itself, as the real
/// one does: activations on first Register, the client certificate on every other call.
/// </summary>
internal sealed class FakeSecureControlPlane : AgentService.AgentServiceBase, IAsyncDisposable
{
    public const string InstanceArn = "arn:aws:ecs:us-east-1:000000000000:container-instance/default/00000000000000000000000000000007";
    public const string ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/default";
    public const string ActivationId = "act-0123456789abcdef";
    public const string ActivationCode = "Zq3-secret-activation-code-9Xk";

    private WebApplication? _app;

    private FakeSecureControlPlane(TestCa ca) => Ca = ca;

    /// <summary>The cluster CA: GetClusterCa answers it, client certificates are issued and checked with it.</summary>
    public TestCa Ca { get; }

    /// <summary>https://127.0.0.1:port</summary>
    public string Address { get; private set; } = "";

    public int Port { get; private set; }

    public int CaRequests => _caRequests;

    private int _caRequests;

    public ConcurrentQueue<(RegisterRequest Request, X509Certificate2? ClientCertificate)> Registrations { get; } = new();

    public ConcurrentQueue<(RenewCertificateRequest Request, X509Certificate2? ClientCertificate)> Renewals { get; } = new();

    public Channel<SecureSession> Sessions { get; } = Channel.CreateUnbounded<SecureSession>();

    /// <summary>How long the client certificates it issues are valid.</summary>
    public TimeSpan CertificateLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>When set, activations are refused with PermissionDenied and this detail.</summary>
    public string? RefuseActivations { get; set; }

    /// <summary>When set, renewals are refused with Unavailable and this detail.</summary>
    public string? FailRenewals { get; set; }

    /// <summary>When set, sessions are refused with PermissionDenied and this detail (the instance was deregistered).</summary>
    public string? RefuseSessions { get; set; }

    /// <param name="serverCa">The CA of the TLS server certificate, when it is not the cluster CA (an impostor).</param>
    public static async Task<FakeSecureControlPlane> StartAsync(TestCa ca, TestCa? serverCa = null)
    {
        var plane = new FakeSecureControlPlane(ca);
        var serverCertificate = (serverCa ?? ca).IssueServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l =>
        {
            l.Protocols = HttpProtocols.Http2;
            l.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = serverCertificate,
                ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                ClientCertificateValidation = (_, _, _) => true,
            });
        }));
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(plane);
        plane._app = builder.Build();
        plane._app.MapGrpcService<FakeSecureControlPlane>();
        await plane._app.StartAsync(TestContext.Current.CancellationToken);
        var address = new Uri(plane._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        plane.Port = address.Port;
        plane.Address = $"https://127.0.0.1:{address.Port}";
        return plane;
    }

    public async Task<SecureSession> NextSessionAsync(TimeSpan? timeout = null) =>
        await Sessions.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask()
            .WaitAsync(timeout ?? StoreWaits.DefaultTimeout, TestContext.Current.CancellationToken);

    public override Task<ClusterCaResponse> GetClusterCa(ClusterCaRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref _caRequests);
        return Task.FromResult(new ClusterCaResponse { CaCertificate = Ca.Pem });
    }

    public override Task<RegisterResponse> Register(RegisterRequest request, ServerCallContext context)
    {
        var client = ClientCertificate(context);
        Registrations.Enqueue((request, client));
        if (!string.IsNullOrEmpty(request.ActivationId) || !string.IsNullOrEmpty(request.ActivationCode))
        {
            if (RefuseActivations is { } detail)
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.PermissionDenied, detail));
            }

            if (request.ActivationId != ActivationId || request.ActivationCode != ActivationCode)
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.PermissionDenied, $"Activation {request.ActivationId} is unknown or its code is wrong."));
            }

            return Task.FromResult(new RegisterResponse
            {
                ContainerInstanceArn = InstanceArn,
                ClusterArn = ClusterArn,
                Certificate = Ca.Sign(request.CertificateRequest, InstanceArn, CertificateLifetime),
                CaCertificate = Ca.Pem,
            });
        }

        RequireClientCertificate(client, StatusCode.Unauthenticated);
        return Task.FromResult(new RegisterResponse { ContainerInstanceArn = InstanceArn, ClusterArn = ClusterArn });
    }

    public override Task<RenewCertificateResponse> RenewCertificate(RenewCertificateRequest request, ServerCallContext context)
    {
        var client = ClientCertificate(context);
        Renewals.Enqueue((request, client));
        if (FailRenewals is { } detail)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, detail));
        }

        RequireClientCertificate(client, StatusCode.Unauthenticated);
        return Task.FromResult(new RenewCertificateResponse { Certificate = Ca.Sign(request.CertificateRequest, InstanceArn, CertificateLifetime) });
    }

    public override async Task Session(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControlMessage> responseStream, ServerCallContext context)
    {
        var session = new SecureSession(ClientCertificate(context));
        Sessions.Writer.TryWrite(session);
        if (RefuseSessions is { } detail)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.PermissionDenied, detail));
        }

        RequireClientCertificate(session.ClientCertificate, StatusCode.PermissionDenied);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, session.Dropped);
        try
        {
            while (await requestStream.MoveNext(ended.Token))
            {
                var message = requestStream.Current;
                session.Received.Writer.TryWrite(message);
                if (message.KindCase == AgentMessage.KindOneofCase.Hello)
                {
                    await responseStream.WriteAsync(new ControlMessage { Ack = new Acknowledge { ThroughSequence = message.Hello.ThroughSequence } }, ended.Token);
                }
            }
        }
        catch (OperationCanceledException) when (session.Dropped.IsCancellationRequested)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "dropped by the test"));
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

    private static X509Certificate2? ClientCertificate(ServerCallContext context) => context.GetHttpContext().Connection.ClientCertificate;

    private void RequireClientCertificate(X509Certificate2? client, StatusCode refusal)
    {
        if (client is null || !Ca.Issued(client))
        {
            throw new RpcException(new Grpc.Core.Status(refusal, "A client certificate of the cluster CA is required."));
        }
    }
}

internal sealed class SecureSession(X509Certificate2? clientCertificate)
{
    private readonly CancellationTokenSource _drop = new();

    public X509Certificate2? ClientCertificate { get; } = clientCertificate;

    public Channel<AgentMessage> Received { get; } = Channel.CreateUnbounded<AgentMessage>();

    public CancellationToken Dropped => _drop.Token;

    public void Drop() => _drop.Cancel();

    public async Task<SessionHello> HelloAsync() =>
        (await Received.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(StoreWaits.DefaultTimeout, TestContext.Current.CancellationToken)).Hello;
}
