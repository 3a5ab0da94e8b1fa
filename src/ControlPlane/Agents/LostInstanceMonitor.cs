using Microsoft.Extensions.Options;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// Gives up on the service tasks of instances whose agent has been away longer than
/// <see cref="ControlPlaneOptions.InstanceLostGrace"/>: they are marked STOPPED so their services replace them
/// elsewhere. Standalone tasks are left as they are. When the agent comes back, the tasks it still runs are ones
/// the control plane has stopped, so it is told to stop them (see <see cref="SessionReports.OpenSessionAsync"/>) and
/// each service is back to exactly its desired count.
/// </summary>
public sealed partial class LostInstanceMonitor(
    StateStore store, AgentSessions sessions, IOptions<ControlPlaneOptions> options, TimeProvider clock, ILogger<LostInstanceMonitor> logger)
    : BackgroundService
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await CheckAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One check: stops the service tasks of every instance lost by now.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var lost = Lost(store.Current).ToList();
        if (lost.Count == 0)
        {
            return;
        }

        await store.WriteAsync(tx =>
        {
            var now = clock.GetUtcNow();
            foreach (var (instance, away) in lost)
            {
                var tasks = tx.State.TasksOn(instance.Arn).Where(IsServiceTask).ToList();
                foreach (var task in tasks)
                {
                    // Its host may still run it: an awsvpc task keeps its address until the agent says it has stopped.
                    tx.Put(task with { Task = Stopped(task.Task, instance, away, now), AwaitingAgentStop = task.Address is not null });
                }

                if (tasks.Count > 0)
                {
                    Log.Lost(logger, instance.Arn, away, tasks.Count);
                }
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    private IEnumerable<(InstanceRecord Instance, TimeSpan Away)> Lost(StateSnapshot state)
    {
        var grace = options.Value.InstanceLostGrace;
        // After a restart, agents need a moment to find the control plane again before any counts as lost.
        if (sessions.Uptime < grace + options.Value.AgentReconnectAllowance)
        {
            yield break;
        }

        foreach (var instance in state.Instances.Values)
        {
            if (instance.Status != ContainerInstanceStatus.Inactive && sessions.DisconnectedFor(instance.Arn) is { } away && away > grace &&
                state.TasksOn(instance.Arn).Any(IsServiceTask))
            {
                yield return (instance, away);
            }
        }
    }

    private static bool IsServiceTask(TaskRecord task) => task.Task.Group?.StartsWith("service:", StringComparison.Ordinal) == true;

    private static EcsTask Stopped(EcsTask task, InstanceRecord instance, TimeSpan away, DateTimeOffset now) => TaskAttachments.Deleted(task) with
    {
        LastStatus = TaskStatus.Stopped,
        DesiredStatus = TaskStatus.Stopped,
        StoppingAt = task.StoppingAt ?? now,
        StoppedAt = now,
        StopCode = TaskStopCode.ServiceSchedulerInitiated,
        StoppedReason = $"Container instance {instance.Id} is lost: its agent has been unreachable for {away.TotalSeconds:0} s",
        Containers = task.Containers.Select(c => c.LastStatus == TaskStatus.Stopped ? c : c with { LastStatus = TaskStatus.Stopped, Reason = "Container instance lost" }).ToList(),
        Version = task.Version + 1,
    };
}
