using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Telemetry;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// Pushes run and stop commands down the owning instance's session. Commands are idempotent on the agent; one that
/// cannot be delivered now (agent disconnected) is repeated when the agent reconnects and its snapshot shows it
/// lacks the task (see <see cref="SessionReports"/>).
/// </summary>
public sealed partial class TaskDispatcher(
    AgentSessions sessions, TaskSecrets secrets, StateStore store, TimeProvider clock, ILogger<TaskDispatcher> logger) : ITaskDispatch
{
    public void Run(TaskRecord task, TaskDefinition definition)
    {
        if (task.Task.ContainerInstanceArn is not { } instance)
        {
            return;
        }

        var values = secrets.Resolve(task, definition, out var failure);
        if (failure is not null)
        {
            Log.SecretsUnavailable(logger, task.Arn, failure);
            _ = FailAsync(task.Arn, failure);
            return;
        }

        using var span = ControlPlaneMetrics.Source.StartActivity("dispatch");
        span?.SetTag("orch.task_arn", task.Arn);
        var message = ControlMessages.Run(task, definition, values);
        if (span is not null)
        {
            message.RunTask.Traceparent = span.Id ?? "";
        }

        if (!sessions.TrySend(instance, message))
        {
            Log.Deferred(logger, task.Arn, instance);
        }
    }

    public void Stop(TaskRecord task)
    {
        if (task.Task.ContainerInstanceArn is { } instance &&
            !sessions.TrySend(instance, ControlMessages.Stop(task.Arn, task.Task.StoppedReason)))
        {
            Log.Deferred(logger, task.Arn, instance);
        }
    }

    /// <summary>Stops a task whose secrets could not be resolved; its agent never hears of it.</summary>
    private async Task FailAsync(string taskArn, string reason)
    {
        try
        {
            await store.WriteAsync(tx =>
            {
                if (tx.State.Task(taskArn) is { } current && current.Task.LastStatus != TaskStatus.Stopped)
                {
                    tx.Put(TaskSecrets.FailedToStart(current, reason, clock.GetUtcNow()));
                }

                return true;
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.StopFailed(logger, taskArn, e);
        }
    }
}
