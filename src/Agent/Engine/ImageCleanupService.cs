using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// Removes old images from the host, as the ECS agent's image cleanup: every <see cref="AgentOptions.ImageCleanupInterval"/>
/// it picks, by <see cref="ImageCleanupPolicy"/>, the tracked images (<see cref="ImageTracker"/>: only those this agent
/// pulled or used) that no known task uses or is about to use and that went unused long enough, and removes them with
/// Docker without force. A removal Docker refuses (a container this agent does not know still uses the image) is
/// logged and skipped; the image stays tracked and is tried again next cycle.
/// </summary>
public sealed partial class ImageCleanupService(
    ImageTracker tracker,
    IDockerDriver driver,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<ImageCleanupService> logger) : BackgroundService
{
    public ImageCleanupPolicy Policy { get; } = PolicyOf(options.Value);

    public static ImageCleanupPolicy PolicyOf(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ImageCleanupPolicy(
            options.ImageMinimumCleanupAge, options.NumImagesToDeletePerCycle, options.ImagesToKeepPerRepository, options.ImageCleanupExclusionList);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.ImageCleanupEnabled)
        {
            return;
        }

        try
        {
            using var timer = new PeriodicTimer(settings.ImageCleanupInterval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One cleanup cycle; returns the images it removed.</summary>
    public async Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var chosen = Policy.Select(tracker.Tracked(), tracker.ImagesInUse(), time.GetUtcNow());
        var removed = new List<string>();
        foreach (var image in chosen)
        {
            // Checked again just before: a task accepted since the choice keeps its image.
            if (tracker.InUse(image))
            {
                continue;
            }

            try
            {
                await driver.RemoveImageAsync(image, cancellationToken).ConfigureAwait(false);
                tracker.Forget(image);
                removed.Add(image);
                Log.Removed(logger, image);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.RemoveFailed(logger, image, e.Message);
            }
        }

        return removed;
    }
}
