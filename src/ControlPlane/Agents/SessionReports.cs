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
public sealed partial class SessionReports(StateStore store, TimeProvider clock, ILogger<SessionReports> logger)
{
    /// <summary>
    /// Applies the snapshot that opens a session and works out what the agent is missing: tasks it should run but
    /// does not know, tasks it runs that should stop or that the control plane does not know.
    /// </summary>
    public Task<IReadOnlyList<ControlMessage>> OpenSessionAsync(SessionHello hello, CancellationToken cancellationToken) =>
        store.WriteAsync<IReadOnlyList<ControlMessage>>(tx =>
        {
            var instance = FindInstance(tx.State, hello.ContainerInstanceArn);
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

                if (report.LastStatus != Status.Stopped && applied.Task.DesiredStatus == TaskStatus.Stopped)
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
                    commands.Add(ControlMessages.Run(task, definition));
                }
                else
                {
                    // Stopped before the agent ever received it.
                    tx.Put(task with { Task = TaskAttachments.Deleted(task.Task) with { LastStatus = TaskStatus.Stopped, StoppedAt = now, Version = task.Task.Version + 1 } });
                }
            }

            if (hello.ThroughSequence > instance.LastSequence)
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

    /// <summary>The agent says a task the control plane had stopped without it has stopped: its address is free.</summary>
    private static TaskRecord ConfirmStopped(TaskRecord task, Status reported) =>
        task.AwaitingAgentStop && reported == Status.Stopped ? task with { AwaitingAgentStop = false } : task;

    private static InstanceRecord FindInstance(StateSnapshot state, string arn) =>
        state.Instance(arn) is { Status: not ContainerInstanceStatus.Inactive } instance
            ? instance
            : throw new EcsException(EcsErrors.ResourceNotFound, string.Create(CultureInfo.InvariantCulture, $"Container instance {arn} is not registered."));
}
