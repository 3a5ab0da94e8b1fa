using Microsoft.Extensions.Options;
using Orchestrator.ControlPlane.Application;
using Orchestrator.ControlPlane.Schedules;
using Orchestrator.ControlPlane.Services;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scaling;

/// <summary>
/// Service auto scaling's loop on the control plane's <see cref="TimeProvider"/>: every
/// <see cref="AutoScalingOptions.Interval"/> each scalable target's scheduled actions that are due change its min and
/// max (then the desired count is brought within them), and its policies are weighed against the service's measured
/// utilisation (<see cref="ScalingPlanner"/>). A change of desired count goes through
/// <see cref="ServiceActions.UpdateServiceAsync"/> — UpdateService's own path, so the service scheduler starts or stops
/// tasks as for any update, and scale-in leaves tasks under scale-in protection alone — and is recorded both as a
/// scaling activity and in the service's events, naming the metric and its value.
/// </summary>
public sealed partial class AutoScaler(StateStore store, ServiceActions services, TaskUsageWindow usage, Arns arns,
    IOptions<AutoScalingOptions> options, TimeProvider clock, ILogger<AutoScaler> logger, LoadBalancing.RequestCounter? requests = null) : BackgroundService
{
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _lowSince = new(StringComparer.Ordinal);

    /// <summary>One pass over every scalable target (tests call it directly on a fake clock).</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var keys = store.Current.ScalableTargets.Keys.ToList();
        foreach (var gone in _lowSince.Keys.Except(keys, StringComparer.Ordinal).ToList())
        {
            _lowSince.Remove(gone);
        }

        foreach (var key in keys)
        {
            try
            {
                await EvaluateAsync(key, cancellationToken).ConfigureAwait(false);
            }
            catch (EcsException e) when (!e.IsServerError)
            {
                Log.TargetSkipped(logger, key, e.Message);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.PassFailed(logger, e);
            }

            try
            {
                await Task.Delay(interval, clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task EvaluateAsync(string key, CancellationToken cancellationToken)
    {
        if (store.Current.ScalableTargets.GetValueOrDefault(key) is not { } target)
        {
            return;
        }

        if (!target.ScheduledScalingSuspended)
        {
            foreach (var action in target.ScheduledActions)
            {
                await RunScheduledActionAsync(key, action.Name, cancellationToken).ConfigureAwait(false);
            }
        }

        var state = store.Current;
        target = state.ScalableTargets.GetValueOrDefault(key);
        var service = target is null ? null : state.Service(arns.Service(target.ClusterName, target.ServiceName));
        if (target is null || service is not { Status: ServiceStatus.Active } || service.IsDaemon)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var utilization = ServiceUtilization.Measure(state, service, usage, now - options.Value.MetricWindow);
        if (requests is not null)
        {
            utilization = utilization with { RequestsPerTarget = RequestsPerTarget(state, target, now) };
        }

        if (!_lowSince.TryGetValue(key, out var lowSince))
        {
            _lowSince[key] = lowSince = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        }

        if (ScalingPlanner.Plan(target, service.DesiredCount, utilization, now, lowSince, options.Value.ScaleInPeriod) is { } decision)
        {
            await ApplyAsync(target, decision, cancellationToken).ConfigureAwait(false);
            lowSince.Clear(); // the new capacity is judged afresh
        }
    }

    /// <summary>
    /// ALBRequestCountPerTarget for each target group the target's request-count policies name: requests the balancer
    /// forwarded to it per minute since the previous pass, over its targets now (none measured on a group's first pass,
    /// or while it has no target).
    /// </summary>
    private Dictionary<string, double> RequestsPerTarget(StateSnapshot state, ScalableTargetRecord target, DateTimeOffset now)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        var groups = target.Policies
            .Select(p => AutoScalingActions.Policy(p).TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification)
            .Where(m => m?.PredefinedMetricType == AutoScalingActions.RequestCountMetric)
            .Select(m => AutoScalingActions.RequestTargetGroup(m!.ResourceLabel))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList(); // each policy's definition is parsed once per pass
        var targets = groups.Count > 0 ? LoadBalancing.LoadBalancerTargets.All(state) : null;
        foreach (var group in groups)
        {
            if (requests!.PerMinute(group, now) is { } perMinute && targets!.TryGetValue(group, out var members) && members.Count > 0)
            {
                result[group] = perMinute / members.Count;
            }
        }

        return result;
    }

    /// <summary>Fires the scheduled action if it is due: its min and max become the target's (the desired count follows on the same pass).</summary>
    private async Task RunScheduledActionAsync(string key, string name, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var target = store.Current.ScalableTargets.GetValueOrDefault(key);
        var record = target?.ScheduledActions.FirstOrDefault(a => a.Name == name);
        if (target is null || record is null || Due(record, now) is not { } due || due > now)
        {
            return;
        }

        var definition = AutoScalingActions.ScheduledAction(record);
        var min = definition.ScalableTargetAction?.MinCapacity ?? target.MinCapacity;
        var max = definition.ScalableTargetAction?.MaxCapacity ?? target.MaxCapacity;
        if (min > max)
        {
            // One bound given, and it crosses the other one: the given one wins, as with AWS.
            (min, max) = definition.ScalableTargetAction?.MinCapacity is not null ? (min, Math.Max(min, max)) : (Math.Min(min, max), max);
        }

        await store.WriteAsync(tx =>
        {
            if (tx.State.ScalableTargets.GetValueOrDefault(key) is not { } current || current.ScheduledActions.FirstOrDefault(a => a.Name == name) is not { } latest)
            {
                return false;
            }

            var activity = new ScalingActivityRecord
            {
                ActivityId = Guid.NewGuid().ToString(),
                Description = $"Setting min capacity to {min} and max capacity to {max}",
                Cause = $"scheduled action name {name} was triggered (scheduled for {due:yyyy-MM-ddTHH:mm:ssZ})",
                StartTime = now,
                EndTime = now,
                StatusCode = "Successful",
                StatusMessage = $"Successfully set min capacity to {min} and max capacity to {max}",
            };
            tx.Put(current.WithActivity(activity) with
            {
                MinCapacity = min,
                MaxCapacity = max,
                ScheduledActions = [.. current.ScheduledActions.Select(a => a.Name == name ? latest with { LastFireTime = due } : a)],
            });
            return true;
        }, cancellationToken).ConfigureAwait(false);
        Log.ScheduledActionFired(logger, key, name, min, max);
    }

    /// <summary>When the scheduled action is due (at or before now when it is), or null when it never is again.</summary>
    public static DateTimeOffset? Due(ScheduledActionRecord record, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        var definition = AutoScalingActions.ScheduledAction(record);
        ScheduleExpression expression;
        try
        {
            expression = ScheduleExpression.Parse(definition.Schedule);
        }
        catch (FormatException)
        {
            return null;
        }

        if (ScheduleTiming.FindZone(definition.Timezone ?? "UTC") is not { } zone)
        {
            return null;
        }

        var timing = new ScheduleTiming(expression, zone, definition.StartTime, definition.EndTime, record.ModifiedAt, ScheduleTiming.DefaultMaxEventAge);
        return timing.Due(new ScheduleRecord("", record.Name, "", default) { LastFireTime = record.LastFireTime }, now);
    }

    private async Task ApplyAsync(ScalableTargetRecord target, ScalingDecision decision, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        string status;
        string? message;
        try
        {
            await services.UpdateServiceAsync(new UpdateServiceRequest
            {
                Cluster = target.ClusterName,
                Service = target.ServiceName,
                DesiredCount = decision.Desired,
            }, cancellationToken).ConfigureAwait(false);
            status = "Successful";
            message = $"Successfully set desired count to {decision.Desired}. Change successfully fulfilled by ecs.";
        }
        catch (EcsException e) when (!e.IsServerError)
        {
            status = "Failed";
            message = $"Failed to set desired count to {decision.Desired}: {EcsText.Cut(e.Message, 300)}";
        }

        var by = decision.PolicyName is null ? "" : $" by policy {decision.PolicyName} ({decision.PolicyType})";
        var cause = decision.PolicyName is null
            ? $"monitor: {decision.Cause}"
            : $"policy {decision.PolicyName} ({decision.PolicyType}) triggered: {decision.Cause}";
        var activity = new ScalingActivityRecord
        {
            ActivityId = Guid.NewGuid().ToString(),
            Description = $"Setting desired count to {decision.Desired}.",
            Cause = cause,
            StartTime = now,
            EndTime = now,
            StatusCode = status,
            StatusMessage = message,
            Details = $"previous desired count {decision.Previous}",
        };
        var serviceArn = arns.Service(target.ClusterName, target.ServiceName);
        await store.WriteAsync(tx =>
        {
            if (tx.State.ScalableTargets.GetValueOrDefault(target.Key) is { } current)
            {
                var policies = current.Policies.Select(p => p.Name != decision.PolicyName || status != "Successful" ? p
                    : decision.ScalesOut ? p with { LastScaleOutAt = now } : p with { LastScaleInAt = now }).ToList();
                tx.Put(current.WithActivity(activity) with { Policies = policies });
            }

            if (tx.State.Service(serviceArn) is { } service)
            {
                var text = $"(service {service.Name}) auto scaling{by}: {message} Desired count {decision.Previous} -> {decision.Desired}: {decision.Cause}.";
                tx.Put(service with { Events = ServiceEvents.Append(service.Events, [text], now) });
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        Log.Scaled(logger, target.Key, decision.Previous, decision.Desired, status, decision.Cause);
    }
}
