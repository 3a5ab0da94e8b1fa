using Grpc.Core;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Registration;
using Orchestrator.Agent.Security;
using Orchestrator.Agent.State;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Session;

/// <summary>
/// Keeps the agent connected: registers (with the saved ARN), opens the Session stream, says hello with a snapshot of
/// every known task, then sends heartbeats and the outbox's state changes in order while passing run/stop commands
/// to the engine and applying acknowledgements to the outbox. Any failure ends the session; it is reopened after a
/// jittered, bounded back-off, with a new registration first if the control plane no longer knows the instance.
/// Tasks keep running meanwhile; their state changes wait in the outbox.
/// </summary>
public sealed partial class SessionService(
    ControlPlaneConnection connection,
    Registrar registrar,
    TaskEngine engine,
    AgentStore store,
    RuntimeHealthMonitor runtime,
    IOptions<AgentOptions> options,
    TimeProvider time,
    AgentExit exit,
    AttachService attachments,
    Orchestrator.Agent.Stats.StatsSampler sampler,
    ILogger<SessionService> logger,
    TaskNotes? notes = null,
    Orchestrator.Agent.Metadata.TaskRoleCredentials? roleCredentials = null) : BackgroundService
{
    private readonly AgentOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(_options.ReconnectInitialDelay, _options.ReconnectMaxDelay, _options.ReconnectMultiplier, _options.ReconnectJitter);
        var mustRegister = true;
        var quickSwitches = 0;
        string? containerInstanceArn = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = time.GetTimestamp();
            try
            {
                if (mustRegister)
                {
                    containerInstanceArn = await registrar.RegisterAsync(stoppingToken).ConfigureAwait(false);
                    mustRegister = false;
                }

                await RunSessionAsync(containerInstanceArn!, backoff.Reset, stoppingToken).ConfigureAwait(false);
                Log.SessionEnded(logger, containerInstanceArn!);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound && !mustRegister)
            {
                Log.InstanceNotFound(logger, containerInstanceArn!, e.Status.Detail);
                mustRegister = true;
            }
            catch (AgentRefusedException e)
            {
                Log.Refused(logger, e.Message);
                exit.Fail(e.Message);
                return;
            }
            catch (RpcException e) when (Registrar.IsRefusal(e) && !mustRegister)
            {
                Log.SessionRefused(logger, containerInstanceArn!, e.StatusCode, e.Status.Detail);
                if (registrar.MustJoinAgain(out var problem))
                {
                    // A revoked certificate is the operator's decision and is retried as it is; an expired one is not.
                    Log.JoiningAgain(logger, problem!);
                    mustRegister = true;
                }
            }
            catch (RpcException e)
            {
                var operation = mustRegister ? "Register" : "Session";
                var endpoint = connection.Endpoint;
                if (!_options.UsesTls && SpeaksTls(e))
                {
                    Log.ControlPlaneSpeaksTls(logger, operation, endpoint);
                }
                else
                {
                    Log.ControlPlaneFailed(logger, operation, endpoint, e.StatusCode, e.Status.Detail);
                }

                // Several control planes: this one is down or a follower (UNAVAILABLE, naming the leader); try the next.
                // The session resumes there as it would here: the agent's outbox re-sends unacknowledged reports.
                if (time.GetElapsedTime(started) > TimeSpan.FromSeconds(1))
                {
                    quickSwitches = 0;
                }

                if (connection.MoveToNext() && e.StatusCode == StatusCode.Unavailable && quickSwitches < _options.Endpoints.Count - 1)
                {
                    quickSwitches++;
                    continue;
                }

                quickSwitches = 0;
            }
            catch (Exception e)
            {
                Log.SessionFailed(logger, mustRegister ? "Register" : "Session", e.Message);
            }

            if (time.GetElapsedTime(started) >= _options.ReconnectMaxDelay)
            {
                // A session that lasted was healthy, whatever ended it: start the back-off afresh.
                backoff.Reset();
            }

            var delay = backoff.Next();
            Log.Reconnecting(logger, delay);
            try
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One session, until the stream ends or fails; <paramref name="established"/> runs once the control plane has answered.</summary>
    internal async Task RunSessionAsync(string containerInstanceArn, Action established, CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The lease keeps this session's channel (and the certificate it presents) until the session ends, even when
        // the certificate is renewed meanwhile; the next session gets a channel with the new one.
        using var lease = connection.Acquire();
        using var call = lease.Client.Session(cancellationToken: session.Token);

        var (tasks, throughSequence) = store.ReadSnapshot();
        var hello = new SessionHello
        {
            ContainerInstanceArn = containerInstanceArn,
            ThroughSequence = throughSequence,
            HeartbeatInterval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(_options.HeartbeatInterval),
            Runtime = runtime.Current,
        };
        hello.Tasks.AddRange(tasks.Select(t => WireMapping.ToWire(TaskReport.Of(t))));
        await call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }, session.Token).ConfigureAwait(false);
        Log.SessionOpened(logger, containerInstanceArn, tasks.Count, throughSequence);

        var reader = ReadAsync(call.ResponseStream, established, session.Token);
        var writer = WriteAsync(call.RequestStream, session.Token);
        var first = await Task.WhenAny(reader, writer).ConfigureAwait(false);
        await session.CancelAsync().ConfigureAwait(false);
        var readerError = await ErrorOf(reader).ConfigureAwait(false);
        var writerError = await ErrorOf(writer).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        // The reader carries the control plane's status (NotFound, Unavailable, …); prefer it over the writer's error.
        if (readerError is not null && (first == reader || readerError is RpcException { StatusCode: not StatusCode.Cancelled }))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readerError);
        }

        if (first == writer && writerError is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(writerError);
        }
    }

    private async Task ReadAsync(IAsyncStreamReader<ControlMessage> responses, Action established, CancellationToken cancellationToken)
    {
        var answered = false;
        while (await responses.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            if (!answered)
            {
                answered = true;
                established();
            }

            var message = responses.Current;
            switch (message.KindCase)
            {
                case ControlMessage.KindOneofCase.Ack:
                    var removed = store.Acknowledge(message.Ack.ThroughSequence);
                    Log.Acknowledged(logger, message.Ack.ThroughSequence, removed);
                    break;
                case ControlMessage.KindOneofCase.RunTask:
                    Log.RunTaskReceived(logger, message.RunTask.TaskArn);
                    if (message.RunTask.Credentials is { } credentials)
                    {
                        roleCredentials?.Put(WireMapping.ToRoleKeys(credentials));
                    }

                    engine.RunTask(WireMapping.ToCommand(message.RunTask));
                    break;
                case ControlMessage.KindOneofCase.TaskCredentials:
                    // The key ID only: never the secret or the token.
                    Log.CredentialsReceived(logger, message.TaskCredentials.TaskArn, message.TaskCredentials.AccessKeyId);
                    roleCredentials?.Put(WireMapping.ToRoleKeys(message.TaskCredentials));
                    break;
                case ControlMessage.KindOneofCase.StopTask:
                    Log.StopTaskReceived(logger, message.StopTask.TaskArn, message.StopTask.Reason);
                    engine.StopTask(message.StopTask.TaskArn, message.StopTask.Reason);
                    break;
                case ControlMessage.KindOneofCase.OpenStream:
                    attachments.Open(message.OpenStream);
                    break;
                default:
                    Log.UnknownMessage(logger, message.KindCase.ToString());
                    break;
            }
        }
    }

    /// <summary>
    /// Sends every unacknowledged state change in order (the ones before the hello too: the control plane applies each
    /// at most once), then each new one as it is committed, the tasks' notes as they come (<see cref="TaskNotes"/>,
    /// which wakes this loop through the store's signal), and a heartbeat every interval.
    /// </summary>
    private async Task WriteAsync(IClientStreamWriter<AgentMessage> requests, CancellationToken cancellationToken)
    {
        const int Batch = 256;
        ulong sent = 0;
        var heartbeatDue = time.GetUtcNow() + _options.HeartbeatInterval;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var version = store.Changes.Version;
            var changes = store.ReadOutbox(sent, Batch);
            foreach (var change in changes)
            {
                await requests.WriteAsync(new AgentMessage { StateChange = WireMapping.ToWire(change) }, cancellationToken).ConfigureAwait(false);
                sent = change.Sequence;
                Log.StateChangeSent(logger, change.Task.TaskArn, change.Sequence, change.Task.LastStatus);
            }

            foreach (var note in notes?.Drain() ?? [])
            {
                await requests.WriteAsync(
                    new AgentMessage
                    {
                        TaskNote = new Orchestrator.Contracts.Agent.TaskNote { TaskArn = note.TaskArn, At = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(note.At), Message = note.Message },
                    },
                    cancellationToken).ConfigureAwait(false);
            }

            var now = time.GetUtcNow();
            if (now >= heartbeatDue)
            {
                await requests.WriteAsync(
                    new AgentMessage
                    {
                        Heartbeat = new Heartbeat { SentAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now), Runtime = runtime.Current, Usage = Usage(), TaskUsage = { TaskUsages() } },
                    },
                    cancellationToken).ConfigureAwait(false);
                heartbeatDue = now + _options.HeartbeatInterval;
            }

            if (changes.Count < Batch)
            {
                await store.Changes.WaitAsync(version, heartbeatDue - now, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private (int Round, InstanceUsage? Usage) _usage = (-1, null);

    /// <summary>
    /// The running containers' latest samples summed; null while there are none. Worked out again only after a new
    /// sampling round, so a heartbeat costs nothing more in between.
    /// </summary>
    private InstanceUsage? Usage()
    {
        if (!sampler.Enabled)
        {
            return null;
        }

        var round = sampler.Rounds;
        if (round == _usage.Round)
        {
            return _usage.Usage;
        }

        var running = store.LoadTasks().SelectMany(t => t.Containers)
            .Where(c => c.KnownStatus == LifecycleStatus.Running && c.RuntimeId is not null)
            .Select(c => sampler.Latest(c.RuntimeId!))
            .OfType<Orchestrator.Agent.Stats.ContainerStats>()
            .ToList();
        var usage = running.Count == 0
            ? null
            : new InstanceUsage
            {
                CpuPercent = running.Sum(c => c.Summary.CpuPercent),
                MemoryUsedBytes = running.Sum(c => c.Summary.MemoryUsedBytes),
                RunningContainers = running.Count,
            };
        _usage = (round, usage);
        return usage;
    }

    private (int Round, List<HeartbeatTaskUsage> Tasks) _taskUsage = (-1, []);

    /// <summary>
    /// Each task's running containers' latest samples summed (service auto scaling's utilisation); worked out again
    /// only after a new sampling round.
    /// </summary>
    private List<HeartbeatTaskUsage> TaskUsages()
    {
        if (!sampler.Enabled)
        {
            return [];
        }

        var round = sampler.Rounds;
        if (round == _taskUsage.Round)
        {
            return _taskUsage.Tasks;
        }

        var tasks = new List<HeartbeatTaskUsage>();
        foreach (var task in store.LoadTasks())
        {
            var samples = task.Containers.Where(c => c.KnownStatus == LifecycleStatus.Running && c.RuntimeId is not null)
                .Select(c => sampler.Latest(c.RuntimeId!)).OfType<Orchestrator.Agent.Stats.ContainerStats>().ToList();
            if (samples.Count > 0)
            {
                tasks.Add(new HeartbeatTaskUsage
                {
                    TaskArn = task.TaskArn,
                    CpuPercent = samples.Sum(c => c.Summary.CpuPercent),
                    MemoryUsedBytes = samples.Sum(c => c.Summary.MemoryUsedBytes),
                });
            }
        }

        _taskUsage = (round, tasks);
        return tasks;
    }

    /// <summary>
    /// Whether a plaintext HTTP/2 call failed the way it does against a TLS port: the server answers the connection
    /// preface with a TLS alert (or nothing), which the client sees as a protocol error or a connection ended early.
    /// </summary>
    internal static bool SpeaksTls(RpcException e)
    {
        if (e.StatusCode is not (StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown))
        {
            return false;
        }

        for (Exception? inner = e.Status.DebugException ?? e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpProtocolException
                || inner is HttpRequestException { HttpRequestError: HttpRequestError.HttpProtocolError or HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse })
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<Exception?> ErrorOf(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
