using Grpc.Core;
using Grpc.Core.Interceptors;
using Orchestrator.ControlPlane.State;

namespace Orchestrator.ControlPlane.Grpc;

/// <summary>
/// Several control planes on etcd: a follower serves reads but refuses what only the leader may do — agent sessions
/// (tasks are delivered by the leader), admin calls, and any write — with UNAVAILABLE, a message naming the leader and
/// its address in the <see cref="LeaderTrailer"/> trailer. Clients given several addresses move on and send the call
/// again (RunTask with the same clientToken never starts a task twice). With SQLite this control plane always writes.
/// </summary>
public sealed class LeaderInterceptor(StateStore store) : Interceptor
{
    /// <summary>The trailer with the leader's address on a refused call.</summary>
    public const string LeaderTrailer = "orch-leader";

    private const string AgentPrefix = "/orchestrator.agent.v1.AgentService/";
    private const string AdminPrefix = "/orchestrator.admin.v1.Admin/";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (StateUnavailableException e)
        {
            throw Refusal(e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (StateUnavailableException e)
        {
            throw Refusal(e);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (StateUnavailableException e)
        {
            throw Refusal(e);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (StateUnavailableException e)
        {
            throw Refusal(e);
        }
    }

    /// <summary>The refusal a caller sees: UNAVAILABLE (retryable), the reason, and the leader's address when known.</summary>
    public static RpcException Refusal(StateUnavailableException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var trailers = new Metadata();
        if (e.Leader is { } leader)
        {
            trailers.Add(LeaderTrailer, leader);
        }

        return new RpcException(new Status(StatusCode.Unavailable, e.Message), trailers);
    }

    private void Check(ServerCallContext context)
    {
        if (store.IsWriter)
        {
            return;
        }

        var method = context.Method;
        if ((method.StartsWith(AgentPrefix, StringComparison.Ordinal) && !method.EndsWith("/GetClusterCa", StringComparison.Ordinal))
            || method.StartsWith(AdminPrefix, StringComparison.Ordinal))
        {
            var leader = store.LeaderHint();
            throw Refusal(new StateUnavailableException(
                leader is null
                    ? "This control plane is a follower and no leader is elected yet; retry shortly."
                    : $"This control plane is a follower; agents and admin calls go to the leader at {leader}.",
                leader));
        }
    }
}
