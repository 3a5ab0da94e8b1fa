using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Application.ResourceReferences;

namespace Orchestrator.ControlPlane.Application;

/// <summary>A task's events (<c>orch task events</c>): its lifecycle from its ECS times, and what was recorded besides.</summary>
public sealed partial class TaskActions
{
    /// <summary>The task's events in time order: placed, pulled, started, health changes, commands run, stop requested, stopped.</summary>
    public IReadOnlyList<TaskEvent> Events(string? cluster, string reference)
    {
        var state = store.Current;
        var task = FindTask(state, ActiveCluster(arns, state, cluster), reference) ?? throw EcsException.InvalidParameter("The referenced task was not found.");
        var t = task.Task;
        // Recorded events first: at equal times (a container's exit and the task's stop) they come before the lifecycle's.
        var events = new List<TaskEvent>(task.Events);
        void Add(DateTimeOffset? at, string message)
        {
            if (at is { } time)
            {
                events.Add(new TaskEvent(time, message));
            }
        }

        Add(t.CreatedAt, t.ContainerInstanceArn is { } instance ? $"placed on container instance {Arns.ShortName(instance, "container-instance")}" : "created (not placed)");
        Add(t.PullStartedAt, "pulling images");
        Add(t.PullStoppedAt, "images pulled");
        Add(t.StartedAt, $"started: {string.Join(", ", (t.Containers ?? []).Select(c => c.Name))} running");
        Add(t.StoppingAt, $"stop requested ({t.StopCode}): {t.StoppedReason}");
        Add(t.StoppedAt, $"stopped ({t.StopCode}): {t.StoppedReason}");
        return [.. events.OrderBy(e => e.At)];
    }

    /// <summary>Records an event on the task (e.g. a command run in it: who, which container, which program).</summary>
    public Task RecordEventAsync(string taskArn, string message, DateTimeOffset at, CancellationToken cancellationToken) =>
        store.WriteAsync(tx =>
        {
            if (tx.State.Task(taskArn) is { } task)
            {
                tx.Put(task.WithEvent(at, message));
            }

            return true;
        }, cancellationToken);
}
