using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Orchestrator.Contracts;

namespace Orchestrator.Lab;

/// <summary>
/// A gRPC connection to a secure control plane as its admin, from the <c>orch-admin.json</c> it wrote: TLS trusting
/// only its CA, every call signed with the admin key — for tests that call the cluster API directly.
/// </summary>
public sealed class AdminChannel : IDisposable
{
    private readonly GrpcChannel _channel;

    public AdminChannel(string adminConfig)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(adminConfig));
        var root = config.RootElement;
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(root.GetProperty("caFile").GetString()!));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => ClusterCa.Trusts(ca, certificate, errors);
        _channel = GrpcChannel.ForAddress(root.GetProperty("endpoint").GetString()!, new GrpcChannelOptions { HttpHandler = handler });
        Invoker = _channel.Intercept(new Signer(root.GetProperty("accessKeyId").GetString()!, root.GetProperty("secretAccessKey").GetString()!));
    }

    /// <summary>Signed calls: <c>new ClusterApi.ClusterApiClient(channel.Invoker)</c>.</summary>
    public CallInvoker Invoker { get; }

    public void Dispose() => _channel.Dispose();

    private sealed class Signer(string keyId, string secret) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            ArgumentNullException.ThrowIfNull(continuation);
            var (date, authorization) = CallSignature.Sign(keyId, secret, context.Method.FullName, DateTimeOffset.UtcNow);
            var headers = context.Options.Headers ?? [];
            headers.Add(CallSignature.DateHeader, date);
            headers.Add(CallSignature.AuthorizationHeader, authorization);
            return continuation(request, new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers)));
        }
    }
}
