using Grpc.Net.Client;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Session;

/// <summary>The gRPC channel to the control plane, with HTTP/2 keepalive pings so a dead peer is noticed on a quiet stream.</summary>
public static class AgentChannel
{
    public static readonly TimeSpan KeepAlivePingDelay = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan KeepAlivePingTimeout = TimeSpan.FromSeconds(10);

    public static GrpcChannel Create(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            KeepAlivePingDelay = KeepAlivePingDelay,
            KeepAlivePingTimeout = KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        return GrpcChannel.ForAddress(options.Endpoint, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }
}
