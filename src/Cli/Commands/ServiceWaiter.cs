using Orchestrator.Cli.Output;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>--wait</c> for services: follows DescribeServices, printing the rollout as it changes and new events, until the
/// service is stable (one deployment, COMPLETED, running = desired), its deployment FAILED, it is INACTIVE (when
/// waiting for a delete), or the time is up.
/// </summary>
internal static class ServiceWaiter
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static async Task<(bool Done, Service? Service)> WaitAsync(
        Invocation invocation, string cluster, string service, bool untilInactive, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = invocation.Time.GetUtcNow() + timeout;
        var seenEvents = new HashSet<string>(StringComparer.Ordinal);
        string? lastProgress = null;
        var first = true;
        while (true)
        {
            var response = await invocation.Client.CallAsync<DescribeServicesResponse>(
                "DescribeServices", new DescribeServicesRequest { Cluster = cluster, Services = [service] }, cancellationToken);
            if (response.Services.Count == 0)
            {
                invocation.Output.Error($"Service {service} not found in cluster {cluster}.");
                return (false, null);
            }

            var current = response.Services[0];
            foreach (var e in current.Events.Reverse().Where(e => seenEvents.Add(e.Id)).ToList())
            {
                if (!first)
                {
                    invocation.Output.Progress($"{Formats.LocalTime(e.CreatedAt, invocation.Output.LocalTimeZone)}  {e.Message}");
                }
            }

            first = false;
            var progress = $"{current.Status}: {ServiceView.Deployments(current)} (running {current.RunningCount}/{current.DesiredCount})";
            if (progress != lastProgress)
            {
                invocation.Output.Progress(progress);
                lastProgress = progress;
            }

            if (untilInactive ? current.Status == ServiceStatus.Inactive : IsStable(current))
            {
                return (true, current);
            }

            if (!untilInactive && current.Deployments.FirstOrDefault(d => d.Status == DeploymentStatus.Primary) is { RolloutState: RolloutStates.Failed } failed)
            {
                invocation.Output.Error($"Deployment {failed.Id} failed: {failed.RolloutStateReason}");
                return (false, current);
            }

            if (invocation.Time.GetUtcNow() >= deadline)
            {
                invocation.Output.Error($"Timed out after {Duration.Format(timeout)} waiting for service {service}.");
                return (false, current);
            }

            await Task.Delay(PollInterval, invocation.Time, cancellationToken);
        }
    }

    /// <summary>What the AWS CLI's services-stable waiter accepts, plus a completed rollout.</summary>
    public static bool IsStable(Service service) =>
        service.Deployments.Count == 1 && service.RunningCount == service.DesiredCount &&
        service.Deployments[0].RolloutState is null or RolloutStates.Completed;
}
