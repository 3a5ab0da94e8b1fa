using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// Follows Docker's event stream for task containers and hands each event to the engine; when the stream breaks it
/// reconnects with back-off and asks the engine to re-inspect every live container (<paramref name="subscribed"/>),
/// so a container that died meanwhile is still noticed.
/// </summary>
internal sealed partial class DockerEventWatcher(
    IDockerDriver driver,
    Backoff backoff,
    TimeProvider time,
    ILogger logger,
    Action<ContainerEvent> received,
    Action subscribed)
{
    /// <summary>A stream that stayed up this long was healthy; the next failure starts the back-off afresh.</summary>
    private static readonly TimeSpan HealthyStream = TimeSpan.FromSeconds(30);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var connectedAt = time.GetTimestamp();
            try
            {
                subscribed();
                await foreach (var item in driver.WatchContainerEventsAsync(cancellationToken).ConfigureAwait(false))
                {
                    received(item);
                }

                Log.StreamEnded(logger);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.StreamFailed(logger, e.Message);
            }

            if (time.GetElapsedTime(connectedAt) >= HealthyStream)
            {
                backoff.Reset();
            }

            try
            {
                await Task.Delay(backoff.Next(), time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
