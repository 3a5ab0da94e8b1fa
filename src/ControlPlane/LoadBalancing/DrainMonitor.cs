using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;

namespace Orchestrator.ControlPlane.LoadBalancing;

/// <summary>
/// Ends draining: a task stopped while it was a target (<see cref="TaskRecord.DrainingUntil"/>) stays RUNNING, out of
/// the balancer's rotation, until its target groups' deregistration delay has passed; then this sends its agent the stop
/// (one write clears the mark, then <see cref="ITaskDispatch.Stop"/>). Runs every <see cref="Interval"/> on the clock.
/// </summary>
public sealed class DrainMonitor(StateStore store, ITaskDispatch dispatch, TimeProvider clock) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Sends the stops whose draining has ended; returns those tasks.</summary>
    public async Task<IReadOnlyList<TaskRecord>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (!store.Current.Tasks.Values.Any(t => t.DrainingUntil <= now))
        {
            return [];
        }

        var ended = await store.WriteAsync(tx =>
        {
            var done = new List<TaskRecord>();
            foreach (var task in tx.State.Tasks.Values.Where(t => t.DrainingUntil <= now).ToList())
            {
                var drained = task with { DrainingUntil = null };
                tx.Put(drained);
                done.Add(drained);
            }

            return done;
        }, cancellationToken).ConfigureAwait(false);
        foreach (var task in ended.Where(t => t.Task.LastStatus != Ecs.Model.TaskStatus.Stopped))
        {
            dispatch.Stop(task);
        }

        return ended;
    }
}
