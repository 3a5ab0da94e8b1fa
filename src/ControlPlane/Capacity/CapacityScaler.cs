using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Telemetry;

namespace Orchestrator.ControlPlane.Capacity;

/// <summary>
/// Managed scaling of capacity providers: every <see cref="ControlPlaneOptions.ScalingInterval"/>, for each provider
/// attached to a cluster with managedScaling ENABLED, works out its reservation and the instance count that brings it
/// to targetCapacity (<see cref="CapacityReservation"/>, bounded by the step sizes and by managed termination
/// protection) and, when that differs from the instances it has on two passes in a row, asks the operator's hook
/// (<see cref="ScalingHook"/>) for it. The same count is not asked again within instanceWarmupPeriod; a failing hook
/// is retried with a doubling delay (at most 5 minutes); nothing it does can stop the control plane.
/// Also publishes <c>orch.capacity_provider.reservation</c> (cluster, capacity_provider), read at collection.
/// </summary>
public sealed partial class CapacityScaler : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private readonly StateStore _store;
    private readonly ScalingHook _hook;
    private readonly TimeProvider _clock;
    private readonly ILogger<CapacityScaler> _logger;
    private readonly TimeSpan _interval;
    private readonly Dictionary<(string Cluster, string Provider), Entry> _entries = [];

    public CapacityScaler(StateStore store, ScalingHook hook, IOptions<ControlPlaneOptions> options, TimeProvider clock, ILogger<CapacityScaler> logger,
        ControlPlaneMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _hook = hook;
        _clock = clock;
        _logger = logger;
        _interval = options.Value.ScalingInterval > TimeSpan.Zero ? options.Value.ScalingInterval : TimeSpan.FromMinutes(1);
        metrics?.Meter.CreateObservableGauge("orch.capacity_provider.reservation", Reservations, "%",
            "CapacityProviderReservation of each capacity provider in each cluster it serves: instances needed / instances × 100.");
    }

    private sealed class Entry
    {
        public int PendingDesired = -1;
        public int LastAskedDesired = -1;
        public DateTimeOffset LastAskedAt;
        public int Failures;
        public DateTimeOffset RetryAt;
    }

    /// <summary>Every attached provider's plan in every active cluster, over one snapshot.</summary>
    public static IEnumerable<(ClusterRecord Cluster, CapacityProviderRecord Provider, CapacityPlan Plan)> Plans(StateSnapshot state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var cluster in state.Clusters.Values.Where(c => c.Status == Ecs.Model.ClusterStatus.Active))
        {
            foreach (var name in cluster.CapacityProviders)
            {
                if (state.CapacityProvider(name) is { } provider)
                {
                    yield return (cluster, provider, CapacityReservation.Plan(state, cluster, provider, now));
                }
            }
        }
    }

    /// <summary>One pass: asks the hook where a provider's desired count has stayed away from what it has (tests call it directly).</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var seen = new HashSet<(string, string)>();
        foreach (var (cluster, provider, plan) in Plans(_store.Current, now).ToList())
        {
            var key = (cluster.Name, provider.Name);
            seen.Add(key);
            if (!provider.ScalingEnabled || !_hook.IsConfigured || plan.Desired == plan.Current)
            {
                _entries.Remove(key);
                continue;
            }

            var entry = _entries.TryGetValue(key, out var found) ? found : _entries[key] = new Entry();
            if (entry.PendingDesired != plan.Desired)
            {
                entry.PendingDesired = plan.Desired; // a new figure must hold for one more pass before it is acted on
                continue;
            }

            var warmup = TimeSpan.FromSeconds(provider.ManagedScaling.InstanceWarmupPeriod ?? 300);
            if ((entry.LastAskedDesired == plan.Desired && now < entry.LastAskedAt + warmup) || now < entry.RetryAt)
            {
                continue;
            }

            var request = new ScalingRequest(cluster.Name, provider.Name, plan.Desired, plan.Current, plan.Reservation.Value, plan.Remove);
            var ok = await _hook.CallAsync(request, cancellationToken).ConfigureAwait(false);
            if (ok)
            {
                Log.Asked(_logger, provider.Name, cluster.Name, plan.Desired, plan.Current, plan.Reservation.Value);
                entry.LastAskedDesired = plan.Desired;
                entry.LastAskedAt = now;
                entry.Failures = 0;
                entry.RetryAt = default;
            }
            else
            {
                entry.Failures++;
                var delay = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, _interval.Ticks * (1L << Math.Min(entry.Failures, 16))));
                entry.RetryAt = now + delay;
                Log.HookFailedRetry(_logger, provider.Name, cluster.Name, entry.Failures, delay);
            }
        }

        foreach (var gone in _entries.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _entries.Remove(gone);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _clock);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a failed pass is logged and the next one runs: scaling must never stop the control plane
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.PassFailed(_logger, e);
            }
        }
    }

    private IEnumerable<Measurement<double>> Reservations()
    {
        try
        {
            return [.. Plans(_store.Current, _clock.GetUtcNow()).Select(p => new Measurement<double>(p.Plan.Reservation.Value,
                new KeyValuePair<string, object?>("cluster", p.Cluster.Name),
                new KeyValuePair<string, object?>("capacity_provider", p.Provider.Name)))];
        }
#pragma warning disable CA1031 // a gauge that cannot be read is empty, never a failed scrape
        catch (Exception)
#pragma warning restore CA1031
        {
            return [];
        }
    }
}
