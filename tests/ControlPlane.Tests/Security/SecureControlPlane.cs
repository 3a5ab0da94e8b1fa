using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Contracts;
using Orchestrator.Contracts.Admin;
using Orchestrator.Contracts.Agent;
using Orchestrator.Contracts.Cluster;
using Orchestrator.ControlPlane.Tests.Support;

namespace Orchestrator.ControlPlane.Tests.Security;

/// <summary>
/// The real control plane in process on real Kestrel ports in its default, secure mode: gRPC over TLS with its own CA,
/// the admin key it created on first start (read back from DATA_DIR/orch-admin.json, as a user would), every log line
/// captured, and a clock that tests can move forward.
/// </summary>
internal sealed class SecureControlPlane : IAsyncDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "orch-secure-" + Guid.NewGuid().ToString("N"));
    private readonly List<GrpcChannel> _channels = [];
    private WebApplication? _app;

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public int GrpcPort { get; } = FreePort();
    public int HttpPort { get; } = FreePort();
    public string DataDir => _dataDir;
    public CapturingLoggerProvider Logs { get; } = new();
    public ShiftedClock Clock { get; } = new();
    public string AdminKeyId { get; private set; } = "";
    public string AdminSecret { get; private set; } = "";
    public X509Certificate2 Ca { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;
    public Uri Endpoint => new($"https://127.0.0.1:{GrpcPort}");

    public static async Task<SecureControlPlane> StartAsync(params string[] arguments)
    {
        var controlPlane = new SecureControlPlane();
        controlPlane._app = ControlPlaneApp.Build(
            [$"--data-dir={controlPlane._dataDir}", $"--grpc-port={controlPlane.GrpcPort}", $"--http-port={controlPlane.HttpPort}", .. arguments],
            b =>
            {
                b.Services.AddSingleton<TimeProvider>(controlPlane.Clock);
                b.Logging.AddProvider(controlPlane.Logs);
                b.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace);
            });
        await controlPlane._app.StartAsync(Token);
        using var config = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(controlPlane._dataDir, "orch-admin.json"), Token));
        controlPlane.AdminKeyId = config.RootElement.GetProperty("accessKeyId").GetString()!;
        controlPlane.AdminSecret = config.RootElement.GetProperty("secretAccessKey").GetString()!;
        controlPlane.Ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(config.RootElement.GetProperty("caFile").GetString()!, Token));
        return controlPlane;
    }

    /// <summary>A channel that trusts only the cluster CA and presents <paramref name="clientCertificate"/>, if any.</summary>
    public GrpcChannel Channel(X509Certificate2? clientCertificate = null, Uri? endpoint = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => ClusterCa.Trusts(Ca, certificate, errors);
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        var channel = GrpcChannel.ForAddress(endpoint ?? Endpoint, new GrpcChannelOptions { HttpHandler = handler });
        _channels.Add(channel);
        return channel;
    }

    public AgentService.AgentServiceClient Agents(X509Certificate2? clientCertificate = null) => new(Channel(clientCertificate));

    public ClusterApi.ClusterApiClient Api() => new(Channel());

    public Admin.AdminClient Admin() => new(Channel());

    /// <summary>Call options signed with a key, as orch signs them.</summary>
    public CallOptions Signed(string method, string? keyId = null, string? secret = null, DateTimeOffset? at = null)
    {
        var (date, authorization) = CallSignature.Sign(keyId ?? AdminKeyId, secret ?? AdminSecret, method, at ?? DateTimeOffset.UtcNow);
        return new CallOptions(new Metadata { { CallSignature.DateHeader, date }, { CallSignature.AuthorizationHeader, authorization } }, cancellationToken: Token);
    }

    public const string CallMethod = "/orchestrator.cluster.v1.ClusterApi/Call";

    public static string AdminMethod(string name) => "/orchestrator.admin.v1.Admin/" + name;

    /// <summary>One ECS action through the cluster API, signed with the admin key.</summary>
    public async Task<string> CallAsync(string action, string json) =>
        (await Api().CallAsync(new EcsCall { Action = action, Json = json }, Signed(CallMethod))).Json;

    public async Task<ActivationInfo> CreateActivationAsync(int maxRegistrations = 1, long expiresInSeconds = 0) =>
        await Admin().CreateActivationAsync(
            new CreateActivationRequest { Cluster = "default", MaxRegistrations = maxRegistrations, ExpiresInSeconds = expiresInSeconds },
            Signed(AdminMethod("CreateActivation")));

    /// <summary>Joins a host as an agent does: a key pair made here, a certificate request, the activation.</summary>
    public async Task<(string Arn, X509Certificate2 Certificate)> JoinAsync(ActivationInfo activation, string hostname = "host")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new RegisterRequest(Tests.Grpc.TestAgent.Registration(hostname))
        {
            ActivationId = activation.ActivationId,
            ActivationCode = activation.ActivationCode,
            CertificateRequest = CertificateRequestPem(key),
        };
        var answer = await Agents().RegisterAsync(request, cancellationToken: Token);
        return (answer.ContainerInstanceArn, WithKey(answer.Certificate, key));
    }

    public static string CertificateRequestPem(ECDsa key) =>
        new CertificateRequest("CN=host", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

    public static X509Certificate2 WithKey(string certificatePem, ECDsa key)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        using var withKey = certificate.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The system clock, moved forward by <see cref="Offset"/>: certificates and activations age without waiting.</summary>
internal sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
