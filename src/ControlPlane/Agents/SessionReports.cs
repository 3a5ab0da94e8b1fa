using System.Globalization;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using Attribute = Orchestrator.Ecs.Model.Attribute;
using VersionInfo = Orchestrator.Ecs.Model.VersionInfo;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// What agents tell the control plane over their sessions: the snapshot that opens each session and the sequenced
/// task state changes after it. Everything is applied through the state store's single writer and is idempotent.
/// </summary>
public sealed partial class SessionReports(StateStore store, TaskSecrets secrets, TimeProvider clock, ILogger<SessionReports> logger)
{
    /// <summary>
    /// How far past the last sequence number stored for an instance a report may be numbered. An agent numbers its
    /// changes one by one and keeps its counter on disk, so a real agent is ahead only by the changes it made while its
    /// reports went unacknowledged (offline, or the control plane down): a million is days of a busy host's changes. A
    /// number further ahead cannot come from the instance's agent; storing it would make the control plane take the
    /// agent's real reports for replays, acknowledge them and apply none.
    /// </summary>
    public const ulong MaxSequenceAdvance = 1_000_000;

    /// <summary>The slowest and fastest heartbeats an agent may announce; outside them its liveness cannot be judged.</summary>
    public static readonly TimeSpan MinHeartbeatInterval = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxHeartbeatInterval = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Checks a hello against the current state before any session is opened for it: the instance is registered and
    /// active, and the hello's sequence number is one its agent could have reached. Returns the heartbeat interval it
    /// announces.
    /// </summary>
    public TimeSpan CheckHello(SessionHello hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        CheckHello(store.Current, hello);
        return HeartbeatIntervalOf(hello);
    }

    /// <summary>
    /// Applies the snapshot that opens a session and works out what the agent is missing: tasks it should run but
    /// does not know, tasks it runs that should stop or that the control plane does not know.
    /// </summary>
    public Task<IReadOnlyList<ControlMessage>> OpenSessionAsync(SessionHello hello, CancellationToken cancellationToken) =>
        store.WriteAsync<IReadOnlyList<ControlMessage>>(tx =>
        {
            var instance = CheckHello(tx.State, hello);
            var now = clock.GetUtcNow();
            var commands = new List<ControlMessage>();
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var report in hello.Tasks)
            {
                reported.Add(report.TaskArn);
                var task = tx.State.Task(report.TaskArn);
                if (task is null || task.Task.ContainerInstanceArn != instance.Arn)
                {
                    if (report.LastStatus != Status.Stopped)
                    {
                        commands.Add(ControlMessages.Stop(report.TaskArn, "The control plane has no record of this task on this container instance."));
                    }

                    continue;
                }

                var applied = ConfirmStopped(TaskReportApplier.Apply(task, report, now), report.LastStatus);
                if (!ReferenceEquals(applied, task))
                {
                    tx.Put(applied);
                }

                if (report.LastStatus != Status.Stopped && applied.Task.DesiredStatus == TaskStatus.Stopped && applied.DrainingUntil is null)
                {
                    commands.Add(ControlMessages.Stop(applied.Arn, applied.Task.StoppedReason));
                }
            }

            // Tasks stopped while the instance was lost that the agent no longer has: their addresses are free.
            foreach (var task in tx.State.Tasks.Values.Where(t => t.AwaitingAgentStop && t.Task.ContainerInstanceArn == instance.Arn && !reported.Contains(t.Arn)).ToList())
            {
                tx.Put(task with { AwaitingAgentStop = false });
            }

            foreach (var task in tx.State.TasksOn(instance.Arn).Where(t => !reported.Contains(t.Arn)).ToList())
            {
                if (task.Task.DesiredStatus == TaskStatus.Running && tx.State.TaskDefinitionByArn(task.Task.TaskDefinitionArn) is { } definition)
                {
                    // Secrets are resolved again for each send; one deleted meanwhile stops the task instead.
                    if (secrets.Resolve(task, definition, out var failure) is { } values)
                    {
                        commands.Add(ControlMessages.Run(task, definition, values));
                    }
                    else
                    {
                        tx.Put(TaskSecrets.FailedToStart(task, failure!, now));
                    }
                }
                else
                {
                    // Stopped before the agent ever received it.
                    tx.Put(task with { Task = TaskAttachments.Deleted(task.Task) with { LastStatus = TaskStatus.Stopped, StoppedAt = now, Version = task.Task.Version + 1 } });
                }
            }

            // The hello's number is the agent's own counter, kept on disk with its outbox: it is the instance's last
            // sequence number, down as well as up. A number stored too high (by an impostor while the agent was away)
            // would otherwise make the agent's next reports look like replays.
            if (hello.ThroughSequence != instance.LastSequence)
            {
                tx.Put(tx.State.Instance(instance.Arn)! with { LastSequence = hello.ThroughSequence });
            }

            commands.Insert(0, ControlMessages.Ack(hello.ThroughSequence));
            return commands;
        }, cancellationToken);

    /// <summary>
    /// Stores one sequenced state change unless its sequence number was applied before. Either way the change is
    /// stored when this returns, so the caller may acknowledge it.
    /// </summary>
    public Task ApplyAsync(string instanceArn, TaskStateChange change, CancellationToken cancellationToken) =>
        store.WriteAsync(tx =>
        {
            var instance = FindInstance(tx.State, instanceArn);
            if (change.Sequence <= instance.LastSequence)
            {
                return false;
            }

            if (change.Sequence - instance.LastSequence > MaxSequenceAdvance)
            {
                throw TooFarAhead("sequence", change.Sequence, instance);
            }

            if (change.Task is null)
            {
                throw EcsException.InvalidParameter("A TaskStateChange must carry the task's state.");
            }

            CheckTaskArn(change.Task.TaskArn);

            var task = tx.State.Task(change.Task.TaskArn);
            if (task is not null && task.Task.ContainerInstanceArn == instanceArn)
            {
                var applied = ConfirmStopped(TaskReportApplier.Apply(task, change.Task, clock.GetUtcNow()), change.Task.LastStatus);
                if (!ReferenceEquals(applied, task))
                {
                    tx.Put(applied);
                    if (applied.Task.LastStatus != task.Task.LastStatus)
                    {
                        Log.TaskStatus(logger, applied.Arn, applied.Task.LastStatus, applied.Task.StoppedReason);
                    }
                }
            }
            else
            {
                Log.UnknownTask(logger, change.Task.TaskArn, instanceArn);
            }

            tx.Put(tx.State.Instance(instanceArn)! with { LastSequence = change.Sequence });
            return true;
        }, cancellationToken);

    /// <summary>The longest note kept in a task's events.</summary>
    public const int MaxNoteLength = 300;

    /// <summary>
    /// Adds an agent's note (an image pull's progress) to its task's events, stamped with the control plane's clock:
    /// only for a task placed on the sending instance, control characters dropped, cut at <see cref="MaxNoteLength"/>.
    /// Best effort, like the note: one for an unknown task is ignored.
    /// </summary>
    public Task NoteAsync(string instanceArn, TaskNote note, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(note);
        CheckTaskArn(note.TaskArn);
        var message = new string([.. note.Message.Where(c => !char.IsControl(c)).Take(MaxNoteLength)]);
        if (message.Length == 0)
        {
            return Task.CompletedTask;
        }

        return store.WriteAsync(tx =>
        {
            if (tx.State.Task(note.TaskArn) is not { } task || task.Task.ContainerInstanceArn != instanceArn)
            {
                Log.UnknownTask(logger, note.TaskArn, instanceArn);
                return false;
            }

            tx.Put(task.WithEvent(clock.GetUtcNow(), message));
            return true;
        }, cancellationToken);
    }

    /// <summary>The agent says a task the control plane had stopped without it has stopped: its address is free.</summary>
    private static TaskRecord ConfirmStopped(TaskRecord task, Status reported) =>
        task.AwaitingAgentStop && reported == Status.Stopped ? task with { AwaitingAgentStop = false } : task;

    private static InstanceRecord CheckHello(StateSnapshot state, SessionHello hello)
    {
        if (hello.ContainerInstanceArn.Length is 0 or > RegistrationLimits.MaxArnLength || hello.ContainerInstanceArn.Any(char.IsControl))
        {
            throw EcsException.InvalidParameter(string.Create(CultureInfo.InvariantCulture,
                $"A SessionHello must name its container instance: an ARN of at most {RegistrationLimits.MaxArnLength} characters, without control characters."));
        }

        foreach (var task in hello.Tasks)
        {
            CheckTaskArn(task.TaskArn);
        }

        var instance = FindInstance(state, hello.ContainerInstanceArn);
        return hello.ThroughSequence > instance.LastSequence && hello.ThroughSequence - instance.LastSequence > MaxSequenceAdvance
            ? throw TooFarAhead("through_sequence", hello.ThroughSequence, instance)
            : instance;
    }

    /// <summary>Task ARNs are the control plane's own; one that cannot be is refused rather than looked up and logged.</summary>
    private static void CheckTaskArn(string taskArn)
    {
        if (taskArn.Length is 0 or > RegistrationLimits.MaxArnLength || taskArn.Any(char.IsControl))
        {
            throw EcsException.InvalidParameter(string.Create(CultureInfo.InvariantCulture,
                $"A task state must name its task: an ARN of at most {RegistrationLimits.MaxArnLength} characters, without control characters."));
        }
    }

    private static TimeSpan HeartbeatIntervalOf(SessionHello hello)
    {
        // Checked on the wire form: ToTimeSpan throws on a malformed Duration (nanos out of range, mixed signs).
        if (hello.HeartbeatInterval is not { Nanos: >= 0 and <= 999_999_999 } interval
            || interval.Seconds < (long)MinHeartbeatInterval.TotalSeconds
            || interval.Seconds > (long)MaxHeartbeatInterval.TotalSeconds
            || interval.Seconds == (long)MaxHeartbeatInterval.TotalSeconds && interval.Nanos > 0)
        {
            throw EcsException.InvalidParameter(string.Create(CultureInfo.InvariantCulture,
                $"A SessionHello's heartbeat_interval must be between {MinHeartbeatInterval.TotalSeconds:0} s and {MaxHeartbeatInterval.TotalMinutes:0} min, not {Describe(hello.HeartbeatInterval)}."));
        }

        return interval.ToTimeSpan();
    }

    private static string Describe(Google.Protobuf.WellKnownTypes.Duration? interval) =>
        interval is null ? "absent" : string.Create(CultureInfo.InvariantCulture, $"{interval.Seconds} s {interval.Nanos} ns");

    private static EcsException TooFarAhead(string field, ulong sequence, InstanceRecord instance) =>
        EcsException.InvalidParameter(string.Create(CultureInfo.InvariantCulture,
            $"{field} {sequence} is more than {MaxSequenceAdvance} past the last state change stored for {instance.Arn} ({instance.LastSequence}): an agent numbers its changes one by one, so this cannot come from the instance's agent. Nothing was stored."));

    private static InstanceRecord FindInstance(StateSnapshot state, string arn) =>
        state.Instance(arn) is { Status: not ContainerInstanceStatus.Inactive } instance
            ? instance
            : throw new EcsException(EcsErrors.ResourceNotFound, string.Create(CultureInfo.InvariantCulture, $"Container instance {arn} is not registered."));
}
