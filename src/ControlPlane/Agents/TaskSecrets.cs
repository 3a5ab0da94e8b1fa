using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Security;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// A task's secrets, resolved from the <see cref="SecretStore"/> when its RunTask is sent (each send: a task started
/// after <c>orch secret put</c> gets the new value). A task naming a secret that cannot be had never reaches its agent:
/// it stops with ECS's <c>ResourceInitializationError</c> naming the secret.
/// </summary>
public sealed class TaskSecrets(SecretStore store)
{
    public const string FailurePrefix = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ";

    /// <summary>The values for every container's secrets; null and the stopped reason when any cannot be resolved.</summary>
    public IReadOnlyList<SecretValue>? Resolve(TaskDefinition definition, out string? failure)
    {
        ArgumentNullException.ThrowIfNull(definition);
        failure = null;
        var values = new List<SecretValue>();
        var problems = new List<string>();
        foreach (var container in definition.ContainerDefinitions)
        {
            foreach (var secret in container.Secrets ?? [])
            {
                if (store.Resolve(secret.ValueFrom ?? "", out var problem) is { } value)
                {
                    values.Add(new SecretValue { ContainerName = container.Name ?? "", Name = secret.Name ?? "", Value = value });
                }
                else if (!problems.Contains(problem))
                {
                    problems.Add(problem);
                }
            }
        }

        if (problems.Count > 0)
        {
            failure = Ecs.EcsText.Cut(FailurePrefix + string.Join("; ", problems), 1000);
            return null;
        }

        return values;
    }

    /// <summary>The task stopped before any agent ran it, with <paramref name="reason"/>.</summary>
    public static TaskRecord FailedToStart(TaskRecord task, string reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task with
        {
            AwaitingAgentStop = false,
            Task = TaskAttachments.Deleted(task.Task) with
            {
                DesiredStatus = TaskStatus.Stopped,
                LastStatus = TaskStatus.Stopped,
                StopCode = TaskStopCode.TaskFailedToStart,
                StoppedReason = reason,
                StoppingAt = task.Task.StoppingAt ?? now,
                ExecutionStoppedAt = now,
                StoppedAt = now,
                Containers = [.. task.Task.Containers.Select(c => c with { LastStatus = TaskStatus.Stopped, Reason = reason })],
                Version = task.Task.Version + 1,
            },
        };
    }
}
