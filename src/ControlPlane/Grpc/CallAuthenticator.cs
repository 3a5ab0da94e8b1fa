using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Contracts.Cluster;
using Orchestrator.ControlPlane.Security;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Grpc;

/// <summary>
/// Authenticates the cluster and admin APIs on the gRPC port: every call must be signed with an access key
/// (<see cref="CallSignature"/>) dated within the allowed clock skew; read-only keys may only read (Describe*, List*,
/// WatchTasks, TaskEvents, TaskStats, InstanceUsage) and never use the admin API, read logs or run commands. The agent protocol is left to <see cref="Agents.AgentEndpoint"/>, which
/// authenticates agents by their client certificates. In the insecure loopback mode nothing is checked.
/// </summary>
public sealed partial class CallAuthenticator(AccessKeyStore keys, IOptions<ControlPlaneOptions> options, TimeProvider clock, ILogger<CallAuthenticator> logger)
    : Interceptor
{
    private const string ClusterApiPrefix = "/orchestrator.cluster.v1.ClusterApi/";
    private const string AdminPrefix = "/orchestrator.admin.v1.Admin/";

    /// <summary>The access key a call was authenticated with (absent in the insecure mode).</summary>
    public const string AccessKeyItem = "orch-access-key";

    private readonly LogBudget _budget = new(clock, (remote, count) => Log.Suppressed(logger, count, remote, LogBudget.Window.TotalSeconds));

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context, request as EcsCall);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context, call: null);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context, call: null);
        return continuation(requestStream, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context, call: null);
        return continuation(requestStream, context);
    }

    private void Check(ServerCallContext context, EcsCall? call)
    {
        var method = context.Method;
        var admin = method.StartsWith(AdminPrefix, StringComparison.Ordinal);
        if (options.Value.Insecure || (!admin && !method.StartsWith(ClusterApiPrefix, StringComparison.Ordinal)))
        {
            return;
        }

        var key = Authenticate(context);
        // Of the streams, a read-only key may only watch tasks: logs may hold secrets, and exec changes things.
        var streamAllowed = call is null && method is ClusterApiPrefix + "WatchTasks" or ClusterApiPrefix + "TaskEvents" or ClusterApiPrefix + "TaskStats" or ClusterApiPrefix + "InstanceUsage" or ClusterApiPrefix + "ServiceEndpoints";
        if (key.ReadOnly && (admin || (call is null ? !streamAllowed : !ReadOnlyActions.Allows(call.Action))))
        {
            var what = call is null ? method[(method.LastIndexOf('/') + 1)..] : EcsText.Cut(call.Action, 64);
            if (_budget.Allow(LogBudget.AddressOf(context.Peer)))
            {
                Log.Denied(logger, key.Id, what, context.Peer);
            }

            throw new RpcException(new global::Grpc.Core.Status(StatusCode.PermissionDenied,
                $"Access key {key.Id} is read-only: it may not call {what}."));
        }

        context.UserState[AccessKeyItem] = key;
    }

    private ManagedAccessKey Authenticate(ServerCallContext context)
    {
        var authorization = context.RequestHeaders.GetValue(CallSignature.AuthorizationHeader);
        var date = context.RequestHeaders.GetValue(CallSignature.DateHeader);
        if (authorization is null)
        {
            throw Refuse(context, "this call needs an access key: set ORCH_ACCESS_KEY_ID and ORCH_SECRET_ACCESS_KEY, or ORCH_CONFIG (the control plane wrote orch-admin.json in its data directory)");
        }

        if (!CallSignature.TryParse(authorization, out var keyId, out var signature) || !CallSignature.TryParseDate(date, out var signedAt))
        {
            throw Refuse(context, $"the authorization is not {CallSignature.Algorithm} with an {CallSignature.DateHeader} date");
        }

        var skew = options.Value.MaxClockSkew;
        var now = clock.GetUtcNow();
        if (signedAt < now - skew || signedAt > now + skew)
        {
            throw Refuse(context, $"the signature's date {date} is more than {skew.TotalMinutes:0} minutes from the control plane's clock");
        }

        var key = keys.Find(keyId);
        var expected = key is null ? "" : CallSignature.Compute(key.Secret, date!, context.Method);
        if (key is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            throw Refuse(context, "the access key is unknown or the signature does not match it");
        }

        return key;
    }

    private RpcException Refuse(ServerCallContext context, string reason)
    {
        if (_budget.Allow(LogBudget.AddressOf(context.Peer)))
        {
            Log.Refused(logger, context.Method, reason, context.Peer);
        }

        return new RpcException(new global::Grpc.Core.Status(StatusCode.Unauthenticated, $"Refused: {reason}."));
    }
}
