using System.Globalization;
using Grpc.Core;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Grpc;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>The gRPC side of the agent protocol (protos/agent.proto): registration and the session stream.</summary>
public sealed partial class AgentEndpoint(
    InstanceRegistration registration, SessionReports reports, AgentSessions sessions, Ecs.Arns arns, TimeProvider clock, ILogger<AgentEndpoint> logger)
    : AgentService.AgentServiceBase
{
    public override async Task<RegisterResponse> Register(RegisterRequest request, ServerCallContext context)
    {
        var instance = await GrpcErrors.Translate(() => registration.RegisterAsync(request, context.CancellationToken)).ConfigureAwait(false);
        return new RegisterResponse { ContainerInstanceArn = instance.Arn, ClusterArn = arns.Cluster(instance.ClusterName) };
    }

    public override async Task Session(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControlMessage> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false) || requestStream.Current.Hello is not { } hello)
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.InvalidArgument, "A session must open with a SessionHello."));
        }

        // Everything about the hello is checked before a session exists: a refused hello leaves nothing behind.
        TimeSpan heartbeatInterval;
        try
        {
            heartbeatInterval = reports.CheckHello(hello);
        }
        catch (Ecs.EcsException e)
        {
            Log.Refused(logger, e.Message);
            throw GrpcErrors.ToRpc(e);
        }

        // Open before applying the snapshot: a task placed meanwhile is then either dispatched to this session or
        // found missing from the snapshot, never neither (a command sent twice is harmless).
        var session = sessions.TryOpen(hello.ContainerInstanceArn, heartbeatInterval, out var current) ?? throw Taken(hello.ContainerInstanceArn, current!);
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, session.Closed);
        var writer = PumpAsync(session, responseStream, ending.Token);
        try
        {
            sessions.ReportRuntime(session, hello.Runtime);
            var opening = await GrpcErrors.Translate(() => reports.OpenSessionAsync(hello, ending.Token)).ConfigureAwait(false);
            foreach (var message in opening)
            {
                session.Outgoing.Writer.TryWrite(message);
            }

            Log.Connected(logger, hello.ContainerInstanceArn, hello.Tasks.Count);
            while (await requestStream.MoveNext(ending.Token).ConfigureAwait(false))
            {
                session.Heard(clock.GetUtcNow());
                if (requestStream.Current.Heartbeat is { } heartbeat)
                {
                    sessions.ReportRuntime(session, heartbeat.Runtime);
                }
                else if (requestStream.Current.StateChange is { } change)
                {
                    await GrpcErrors.Translate(() => reports.ApplyAsync(session.InstanceArn, change, ending.Token)).ConfigureAwait(false);
                    session.Outgoing.Writer.TryWrite(ControlMessages.Ack(change.Sequence));
                }
            }
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            // The agent went away, or a newer session or the liveness check replaced this one.
        }
        catch (IOException)
        {
            // The stream broke.
        }
        finally
        {
            sessions.Close(session);
            await writer.ConfigureAwait(false);
            Log.Disconnected(logger, session.InstanceArn);
        }
    }

    /// <summary>
    /// The refusal of a second session for an instance whose session is live. Without client certificates nothing
    /// proves which caller is the instance's agent, so the one already heard from keeps the instance; a restarted agent
    /// gets in once its old session has gone stale.
    /// </summary>
    private RpcException Taken(string instanceArn, AgentSession current)
    {
        Log.SessionTaken(logger, instanceArn);
        return new RpcException(new global::Grpc.Core.Status(StatusCode.AlreadyExists, string.Create(CultureInfo.InvariantCulture,
            $"Container instance {instanceArn} already has a live session (heard from {(clock.GetUtcNow() - current.LastHeardAt).TotalSeconds:0.0} s ago). " +
            $"A new session replaces it only once it has been silent for its heartbeat interval ({current.HeartbeatInterval.TotalSeconds:0.#} s) plus {AgentSessions.StaleGrace.TotalSeconds:0} s.")));
    }

    private static async Task PumpAsync(AgentSession session, IServerStreamWriter<ControlMessage> stream, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in session.Outgoing.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            session.Close(); // the stream is gone; end the reading side too
        }
    }
}
