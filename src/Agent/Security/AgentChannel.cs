using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Security;

namespace Orchestrator.Agent.Security;

/// <summary>
/// The gRPC channel to the control plane, with HTTP/2 keepalive pings so a dead peer is noticed on a quiet stream.
/// Over https it trusts the cluster CA only and presents the host's client certificate, if it has one; a channel
/// keeps the certificate it was made with (see <see cref="ControlPlaneConnection"/> for switching).
/// </summary>
public static class AgentChannel
{
    public static readonly TimeSpan KeepAlivePingDelay = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan KeepAlivePingTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A plaintext channel (http://), or over https one that trusts only <paramref name="ca"/>.</summary>
    /// <param name="rejected">Told why a server certificate was refused.</param>
    /// <param name="endpoint">Which of the control planes (default: the first).</param>
    public static GrpcChannel Create(
        AgentOptions options, X509Certificate2? ca = null, X509Certificate2? clientCertificate = null, Action<string>? rejected = null, string? endpoint = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = NewHandler();
        if (options.UsesTls)
        {
            ArgumentNullException.ThrowIfNull(ca);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (ClusterCertificates.IsValidServerCertificate(certificate, errors, ca, out var problem, chain))
                    {
                        return true;
                    }

                    rejected?.Invoke(problem);
                    return false;
                },
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
            };
        }

        return GrpcChannel.ForAddress(endpoint ?? options.Endpoints[0], new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    /// <summary>
    /// A channel for GetClusterCa only: TLS without checking the server (the CA is what is being learned; what it
    /// answers is checked against the fingerprint) and without a client certificate. Never send a secret on it.
    /// </summary>
    public static GrpcChannel CreateForCaDiscovery(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = NewHandler();
        handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        return GrpcChannel.ForAddress(options.Endpoints[0], new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    private static SocketsHttpHandler NewHandler() => new()
    {
        KeepAlivePingDelay = KeepAlivePingDelay,
        KeepAlivePingTimeout = KeepAlivePingTimeout,
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };
}
