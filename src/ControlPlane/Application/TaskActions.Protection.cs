using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Application.ResourceReferences;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// ECS's task scale-in protection (UpdateTaskProtection, GetTaskProtection). A protected service task is neither
/// scaled in nor replaced by a deployment until its protection ends (the service scheduler keeps it and starts the
/// new ones beside it); it does not stop StopTask, a failed health check or a lost instance. Only a service's tasks
/// can be protected (ECS's TASK_NOT_VALID otherwise).
/// </summary>
public sealed partial class TaskActions
{
    public const int DefaultProtectionMinutes = 120;
    public const int MaxProtectionMinutes = 2880;

    public async Task<TaskProtectionResponse> UpdateTaskProtectionAsync(UpdateTaskProtectionRequest request, CancellationToken cancellationToken)
    {
        if (request.ProtectionEnabled is not { } enabled)
        {
            throw EcsException.InvalidParameter("protectionEnabled is required.");
        }

        var references = request.Tasks ?? [];
        if (references.Count is 0 or > 10)
        {
            throw EcsException.InvalidParameter("tasks must name between 1 and 10 tasks.");
        }

        if (request.ExpiresInMinutes is { } minutes && (minutes is < 1 or > MaxProtectionMinutes || !enabled))
        {
            throw EcsException.InvalidParameter(enabled
                ? $"expiresInMinutes must be between 1 and {MaxProtectionMinutes}."
                : "expiresInMinutes applies only with protectionEnabled true.");
        }

        var now = clock.GetUtcNow();
        var until = enabled ? now.AddMinutes(request.ExpiresInMinutes ?? DefaultProtectionMinutes) : (DateTimeOffset?)null;
        return await store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(arns, tx.State, request.Cluster);
            var protectedTasks = new List<ProtectedTask>();
            var failures = new List<Failure>();
            foreach (var reference in references)
            {
                var task = FindTask(tx.State, cluster, reference);
                if (task is null)
                {
                    failures.Add(new Failure(reference, "MISSING", "The task was not found."));
                }
                else if (task.Task.Group?.StartsWith("service:", StringComparison.Ordinal) != true || task.Task.LastStatus == TaskStatus.Stopped)
                {
                    failures.Add(new Failure(task.Arn, "TASK_NOT_VALID", "Only running tasks of a service can be protected from scale-in."));
                }
                else
                {
                    tx.Put(task with { ProtectedUntil = until });
                    protectedTasks.Add(new ProtectedTask(task.Arn, enabled, until));
                }
            }

            return new TaskProtectionResponse(protectedTasks, failures);
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<TaskProtectionResponse> GetTaskProtectionAsync(GetTaskProtectionRequest request, CancellationToken cancellationToken)
    {
        var references = request.Tasks ?? [];
        if (references.Count is 0 or > 100)
        {
            throw EcsException.InvalidParameter("tasks must name between 1 and 100 tasks.");
        }

        var state = store.Current;
        var now = clock.GetUtcNow();
        var cluster = ActiveCluster(arns, state, request.Cluster);
        var protectedTasks = new List<ProtectedTask>();
        var failures = new List<Failure>();
        foreach (var reference in references)
        {
            if (FindTask(state, cluster, reference) is not { } task)
            {
                failures.Add(new Failure(reference, "MISSING", "The task was not found."));
            }
            else if (task.ProtectedUntil is { } until && until > now)
            {
                protectedTasks.Add(new ProtectedTask(task.Arn, true, until));
            }
            else
            {
                protectedTasks.Add(new ProtectedTask(task.Arn, false));
            }
        }

        return Task.FromResult(new TaskProtectionResponse(protectedTasks, failures));
    }
}
