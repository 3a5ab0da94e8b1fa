using System.Globalization;
using Grpc.Core;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Application;
using Orchestrator.ControlPlane.Grpc;
using Orchestrator.ControlPlane.Tasks;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>The gRPC side of the agent protocol (protos/agent.proto): registration and the session stream.</summary>
public sealed partial class AgentEndpoint(
    InstanceRegistration registration, SessionReports reports, AgentSessions sessions, AgentAuthentication authentication, Ecs.Arns arns,
    ContainerInstanceActions instances, TaskStreamBroker streams, TimeProvider clock, ILogger<AgentEndpoint> logger,
    State.StateStore store, Tasks.TaskUsageWindow usageWindow, Telemetry.ControlPlaneMetrics metrics)
    : AgentService.AgentServiceBase
{
    public override Task<ClusterCaResponse> GetClusterCa(ClusterCaRequest request, ServerCallContext context) =>
        Task.FromResult(new ClusterCaResponse { CaCertificate = authentication.CaPem });

    /// <summary>
    /// Registers a host. Securely that is either a first join (an activation and a certificate request: a new
    /// container instance and its client certificate) or an agent presenting its certificate (the same instance,
    /// updated; a certificate request renews the certificate too).
    /// </summary>
    public override async Task<RegisterResponse> Register(RegisterRequest request, ServerCallContext context)
    {
        if (!authentication.Required)
        {
            var open = await GrpcErrors.Translate(() => registration.RegisterAsync(request, context.CancellationToken, PeerAddress(context))).ConfigureAwait(false);
            return new RegisterResponse { ContainerInstanceArn = open.Arn, ClusterArn = arns.Cluster(open.ClusterName) };
        }

        if (authentication.HasCertificate(context) && string.IsNullOrEmpty(request.ActivationId))
        {
            var known = authentication.Identify(context);
            var arn = known.Arn;
            var cluster = string.IsNullOrEmpty(request.Cluster) ? known.ClusterName : Ecs.Arns.ShortName(request.Cluster, "cluster");
            if ((request.ContainerInstanceArn is { Length: > 0 } named && named != arn) || cluster != known.ClusterName)
            {
                throw authentication.Refuse(context, StatusCode.PermissionDenied,
                    $"the client certificate is for container instance {arn} of cluster {known.ClusterName}");
            }

            request.ContainerInstanceArn = arn;
            var instance = await GrpcErrors.Translate(() => registration.RegisterAsync(request, context.CancellationToken, PeerAddress(context))).ConfigureAwait(false);
            return new RegisterResponse
            {
                ContainerInstanceArn = instance.Arn,
                ClusterArn = arns.Cluster(instance.ClusterName),
                Certificate = string.IsNullOrEmpty(request.CertificateRequest) ? "" : authentication.Issue(request.CertificateRequest, instance.Arn, context),
                CaCertificate = authentication.CaPem,
            };
        }

        var (certificateRequest, activationCluster) = authentication.Activate(request, context);
        try
        {
            // A join is always a new instance: an activation proves the right to add a host, not to be one already known.
            request.ContainerInstanceArn = "";
            request.Cluster = activationCluster;
            var joined = await GrpcErrors.Translate(() => registration.RegisterAsync(request, context.CancellationToken, PeerAddress(context))).ConfigureAwait(false);
            return new RegisterResponse
            {
                ContainerInstanceArn = joined.Arn,
                ClusterArn = arns.Cluster(joined.ClusterName),
                Certificate = authentication.Issue(certificateRequest, joined.Arn),
                CaCertificate = authentication.CaPem,
            };
        }
        catch
        {
            authentication.Release(request);
            throw;
        }
    }

    /// <summary>A new certificate for the calling instance, over a new key.</summary>
    public override Task<RenewCertificateResponse> RenewCertificate(RenewCertificateRequest request, ServerCallContext context)
    {
        if (!authentication.Required)
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.FailedPrecondition, "The control plane runs in the insecure mode: there are no certificates."));
        }

        var arn = authentication.Identify(context).Arn;
        var certificate = authentication.Issue(request.CertificateRequest, arn, context);
        Log.Renewed(logger, arn);
        return Task.FromResult(new RenewCertificateResponse { Certificate = certificate });
    }

    /// <summary>
    /// Deregisters the calling instance, with force (an uninstall: its tasks are no longer the cluster's). Only the
    /// instance its client certificate names; the deregistration revokes that certificate.
    /// </summary>
    public override async Task<DeregisterSelfResponse> DeregisterSelf(DeregisterSelfRequest request, ServerCallContext context)
    {
        if (!authentication.Required)
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.FailedPrecondition,
                "The control plane runs in the insecure mode: an agent cannot prove which instance it is; deregister it with orch."));
        }

        var known = authentication.Identify(context);
        await GrpcErrors.Translate(() => instances.DeregisterContainerInstanceAsync(
            new Ecs.Model.DeregisterContainerInstanceRequest { Cluster = known.ClusterName, ContainerInstance = known.Arn, Force = true },
            context.CancellationToken)).ConfigureAwait(false);
        Log.DeregisteredSelf(logger, known.Arn);
        return new DeregisterSelfResponse { ContainerInstanceArn = known.Arn };
    }

    /// <summary>A stream the control plane asked this instance's agent to open (logs, a command): relayed by <see cref="TaskStreamBroker"/>.</summary>
    public override Task Attach(IAsyncStreamReader<AttachUp> requestStream, IServerStreamWriter<AttachDown> responseStream, ServerCallContext context) =>
        streams.AttachAsync(authentication.Required ? authentication.Identify(context).Arn : null, requestStream, responseStream, context);

    public override async Task Session(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControlMessage> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false) || requestStream.Current.Hello is not { } hello)
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.InvalidArgument, "A session must open with a SessionHello."));
        }

        if (authentication.Required && authentication.Identify(context).Arn is var certified && certified != hello.ContainerInstanceArn)
        {
            throw authentication.Refuse(context, StatusCode.PermissionDenied,
                $"the client certificate is for container instance {certified}, not {Ecs.EcsText.Cut(hello.ContainerInstanceArn, 200)}");
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
                    if (heartbeat.SentAt is { } sentAt)
                    {
                        metrics.HeartbeatHandled(clock.GetUtcNow() - sentAt.ToDateTimeOffset());
                    }

                    if (heartbeat.Usage is { } usage && double.IsFinite(usage.CpuPercent))
                    {
                        session.Usage = new InstanceUsageReport(clock.GetUtcNow(), Math.Max(0, usage.CpuPercent), Math.Max(0, usage.MemoryUsedBytes), Math.Max(0, usage.RunningContainers));
                    }

                    if (heartbeat.TaskUsage.Count > 0)
                    {
                        // Only this instance's own tasks count: an agent cannot report another host's tasks.
                        var state = store.Current;
                        usageWindow.Record(heartbeat.TaskUsage.Take(1000)
                            .Where(t => state.Task(t.TaskArn) is { } task && task.Task.ContainerInstanceArn == session.InstanceArn)
                            .Select(t => (t.TaskArn, t.CpuPercent, t.MemoryUsedBytes)));
                    }
                }
                else if (requestStream.Current.StateChange is { } change)
                {
                    await GrpcErrors.Translate(() => reports.ApplyAsync(session.InstanceArn, change, ending.Token)).ConfigureAwait(false);
                    session.Outgoing.Writer.TryWrite(ControlMessages.Ack(change.Sequence));
                }
                else if (requestStream.Current.TaskNote is { } note)
                {
                    await GrpcErrors.Translate(() => reports.NoteAsync(session.InstanceArn, note, ending.Token)).ConfigureAwait(false);
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

    /// <summary>The address the agent's call came from (IPv4-mapped IPv6 shown as IPv4); null when the transport has none.</summary>
    private static string? PeerAddress(ServerCallContext context)
    {
        var remote = context.GetHttpContext()?.Connection.RemoteIpAddress;
        return remote is null ? null : (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote).ToString();
    }
}
