using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Orchestrator.Contracts;
using Orchestrator.Contracts.Cluster;

namespace Orchestrator.Cli.Tests.Fakes;

/// <summary>An access key the fake control plane knows.</summary>
internal sealed record FakeKey(string Secret, bool ReadOnly = false);

/// <summary>
/// The control plane's check of <see cref="CallSignature"/>, with known keys: an unsigned or badly signed call is
/// Unauthenticated, a read-only key calling anything but Describe*/List* is PermissionDenied. GetClusterCa is public.
/// Records the signature metadata of every call it saw.
/// </summary>
internal sealed class FakeSignatureCheck(FakeServerOptions options) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context, request);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context, request);
        return continuation(request, responseStream, context);
    }

    private void Check(ServerCallContext context, object request)
    {
        var date = context.RequestHeaders.GetValue(CallSignature.DateHeader);
        var authorization = context.RequestHeaders.GetValue(CallSignature.AuthorizationHeader);
        options.SeenCalls.Enqueue((context.Method, date, authorization));
        if (options.Keys is null || context.Method.EndsWith("/GetClusterCa", StringComparison.Ordinal))
        {
            return;
        }

        if (!CallSignature.TryParse(authorization, out var keyId, out var signature))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The call is not signed with an access key."));
        }

        if (!options.Keys.TryGetValue(keyId, out var key)
            || !CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes(CallSignature.Compute(key.Secret, date ?? "", context.Method))))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"The signature of access key {keyId} does not match."));
        }

        var readsOnly = request is EcsCall call && (call.Action.StartsWith("Describe", StringComparison.Ordinal) || call.Action.StartsWith("List", StringComparison.Ordinal));
        if (key.ReadOnly && !readsOnly)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"Access key {keyId} is read-only."));
        }
    }
}
