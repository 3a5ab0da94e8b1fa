using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// Pushes run and stop commands down the owning instance's session. Commands are idempotent on the agent; one that
/// cannot be delivered now (agent disconnected) is repeated when the agent reconnects and its snapshot shows it
/// lacks the task (see <see cref="SessionReports"/>).
/// </summary>
public sealed partial class TaskDispatcher(AgentSessions sessions, ILogger<TaskDispatcher> logger) : ITaskDispatch
{
    public void Run(TaskRecord task, TaskDefinition definition)
    {
        if (task.Task.ContainerInstanceArn is not { } instance)
        {
            return;
        }

        if (!sessions.TrySend(instance, ControlMessages.Run(task, definition)))
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
}
