using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// Pushes run and stop commands down the owning instance's session. Commands are idempotent on the agent; one that
/// cannot be delivered now (agent disconnected) is repeated when the agent reconnects and its snapshot shows it
/// lacks the task (see <see cref="AgentReports"/>).
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

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Agent of {ContainerInstanceArn} is not connected; task {TaskArn} is sent when it reconnects")]
        public static partial void Deferred(ILogger logger, string taskArn, string containerInstanceArn);
    }
}

/// <summary>The commands the control plane sends to agents.</summary>
public static class ControlMessages
{
    /// <summary>The run command for a task, as its agent needs it: the task definition whole, overrides, GPUs and address.</summary>
    public static ControlMessage Run(TaskRecord task, TaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(definition);
        var run = new RunTask
        {
            TaskArn = task.Arn,
            ClusterArn = task.Task.ClusterArn,
            TaskDefinitionJson = Ecs.Json.EcsJson.Serialize(definition),
            OverridesJson = task.Task.Overrides is { } overrides ? Ecs.Json.EcsJson.Serialize(overrides) : "",
        };
        foreach (var container in task.Task.Containers.Where(c => c.GpuIds is { Count: > 0 }))
        {
            run.Gpus.Add(new ContainerGpus { ContainerName = container.Name, GpuIds = { container.GpuIds } });
        }

        if (task.Address is { } address)
        {
            run.Network = new TaskNetwork
            {
                AttachmentId = address.AttachmentId,
                SubnetId = address.SubnetId,
                Ipv4Address = address.Ipv4Address,
                PrefixLength = address.PrefixLength,
                Gateway = address.Gateway,
            };
        }

        return new ControlMessage { RunTask = run };
    }

    public static ControlMessage Stop(string taskArn, string? reason) =>
        new() { StopTask = new StopTask { TaskArn = taskArn, Reason = reason ?? "" } };

    public static ControlMessage Ack(ulong throughSequence) => new() { Ack = new Acknowledge { ThroughSequence = throughSequence } };
}
