using Orchestrator.ControlPlane.State;

namespace Orchestrator.ControlPlane.Services;

/// <summary>
/// Runs the service scheduler: takes services off the work queue one at a time, and every couple of seconds queues
/// all of them for what only time changes (health-check grace periods, relaunch back-off). After a restart the first
/// sweep resumes whatever deployments were under way.
/// </summary>
public sealed partial class ServiceReconciler(ServiceWorkQueue queue, ServiceScheduler scheduler, StateStore store, TimeProvider clock, ILogger<ServiceReconciler> logger)
    : BackgroundService
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweep = SweepAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var arn = await queue.DequeueAsync(stoppingToken).ConfigureAwait(false);
                try
                {
                    await scheduler.ReconcileAsync(arn, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.Failed(logger, e, arn);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await sweep.ConfigureAwait(false);
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SweepInterval, clock);
        try
        {
            do
            {
                queue.EnqueueAll(store.Current);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
