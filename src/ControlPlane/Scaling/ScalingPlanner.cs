using System.Globalization;
using Orchestrator.ControlPlane.State;

namespace Orchestrator.ControlPlane.Scaling;

/// <summary>What the scaler decided for a target: the new desired count, which policy and why (the metric and its value).</summary>
public sealed record ScalingDecision(int Desired, int Previous, string? PolicyName, string? PolicyType, string Cause)
{
    public bool ScalesOut => Desired > Previous;
}

/// <summary>
/// The scaling arithmetic, pure: Application Auto Scaling's rules for an ECS service's desired count, given its
/// scalable target, the current desired count, the measured utilisation and the time.
/// <list type="bullet">
/// <item>Out of bounds (min/max changed): back within them at once.</item>
/// <item>Target tracking: above the target, desired = ceil(current × metric / target), at most max, once the
/// scale-out cooldown since the policy's last scale-out has passed. Below 90 % of the target (AWS's low alarm) for
/// <c>scaleInPeriod</c> on end, desired = ceil(current × metric / target), at least min, once the scale-in cooldown
/// since the policy's last scaling either way has passed; never with DisableScaleIn.</item>
/// <item>Step scaling: the step whose interval holds the metric (bounds are absolute values of the metric: with no
/// CloudWatch alarm there is no threshold to add them to), after the policy's cooldown.</item>
/// <item>Any scale-out wins (the largest); scale-in only when no target tracking policy wants to keep capacity (its
/// metric is not low, not low long enough, or not measured), then by the smallest step in.</item>
/// </list>
/// </summary>
public static class ScalingPlanner
{
    public const double ScaleInThreshold = 0.9;

    /// <param name="lowSince">Per policy name, since when its metric has been low; updated here (the caller keeps it between passes).</param>
    public static ScalingDecision? Plan(ScalableTargetRecord target, int current, ServiceUtilization utilization, DateTimeOffset now,
        IDictionary<string, DateTimeOffset> lowSince, TimeSpan scaleInPeriod)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(utilization);
        ArgumentNullException.ThrowIfNull(lowSince);
        if (current < target.MinCapacity)
        {
            return new ScalingDecision(target.MinCapacity, current, null, null,
                $"the desired count {current} was below the scalable target's minimum capacity {target.MinCapacity}");
        }

        if (current > target.MaxCapacity)
        {
            return new ScalingDecision(target.MaxCapacity, current, null, null,
                $"the desired count {current} was above the scalable target's maximum capacity {target.MaxCapacity}");
        }

        ScalingDecision? scaleOut = null;
        ScalingDecision? scaleIn = null;
        var keep = false;
        foreach (var record in target.Policies)
        {
            var policy = AutoScalingActions.Policy(record);
            if (policy.TargetTrackingScalingPolicyConfiguration is { } tracking)
            {
                var metric = tracking.PredefinedMetricSpecification?.PredefinedMetricType ?? AutoScalingActions.CpuMetric;
                var value = utilization.Of(metric, tracking.PredefinedMetricSpecification?.ResourceLabel);
                var goal = tracking.TargetValue ?? 0;
                if (value is not { } m || goal <= 0)
                {
                    lowSince.Remove(record.Name);
                    keep = true;
                    continue;
                }

                if (m > goal)
                {
                    lowSince.Remove(record.Name);
                    keep = true;
                    var wanted = Math.Min(target.MaxCapacity, TargetCapacity(current, m, goal));
                    if (wanted > current && !target.DynamicScalingOutSuspended && Elapsed(record.LastScaleOutAt, tracking.ScaleOutCooldown, now))
                    {
                        scaleOut = Larger(scaleOut, new ScalingDecision(wanted, current, record.Name, policy.PolicyType,
                            $"{metric} {Format(m)} > target {Format(goal)}"));
                    }
                }
                else if (m < goal * ScaleInThreshold)
                {
                    var since = lowSince.TryGetValue(record.Name, out var low) ? low : lowSince[record.Name] = now;
                    if (tracking.DisableScaleIn == true)
                    {
                        continue; // this policy never scales in, nor holds the others back
                    }

                    var wanted = Math.Max(target.MinCapacity, TargetCapacity(current, m, goal));
                    var last = Later(record.LastScaleInAt, record.LastScaleOutAt);
                    if (wanted < current && now - since >= scaleInPeriod && !target.DynamicScalingInSuspended && Elapsed(last, tracking.ScaleInCooldown, now))
                    {
                        scaleIn = Larger(scaleIn, new ScalingDecision(wanted, current, record.Name, policy.PolicyType,
                            $"{metric} {Format(m)} < target {Format(goal)} (below {Format(goal * ScaleInThreshold)} since {since:HH:mm:ss}Z)"));
                    }
                    else if (wanted < current)
                    {
                        keep = true; // not low for long enough yet, or cooling down
                    }
                }
                else
                {
                    lowSince.Remove(record.Name);
                    keep = true;
                }
            }
            else if (policy.StepScalingPolicyConfiguration is { } step)
            {
                var metric = AutoScalingActions.CpuMetric;
                if (utilization.Aggregate(metric, step.MetricAggregationType) is not { } m)
                {
                    continue;
                }

                var wanted = StepCapacity(current, m, step);
                if (wanted is not { } w || !Elapsed(Later(record.LastScaleInAt, record.LastScaleOutAt), step.Cooldown, now))
                {
                    continue;
                }

                w = Math.Clamp(w, target.MinCapacity, target.MaxCapacity);
                var cause = $"{metric} {Format(m)} ({step.MetricAggregationType ?? "Average"}) in step {StepText(m, step)}";
                if (w > current && !target.DynamicScalingOutSuspended)
                {
                    scaleOut = Larger(scaleOut, new ScalingDecision(w, current, record.Name, policy.PolicyType, cause));
                }
                else if (w < current && !target.DynamicScalingInSuspended)
                {
                    scaleIn = Larger(scaleIn, new ScalingDecision(w, current, record.Name, policy.PolicyType, cause));
                }
            }
        }

        return scaleOut ?? (keep ? null : scaleIn);
    }

    /// <summary>Target tracking's capacity: ceil(current × metric / target); a service at 0 with load goes to 1.</summary>
    public static int TargetCapacity(int current, double metric, double target)
    {
        if (current == 0)
        {
            return metric > 0 ? 1 : 0;
        }

        var exact = current * metric / target;
        var capacity = Math.Ceiling(exact - 1e-9);
        return capacity >= int.MaxValue ? int.MaxValue : (int)Math.Max(0, capacity);
    }

    /// <summary>The capacity a step policy asks for at <paramref name="metric"/>, or null when no step holds it (or it changes nothing).</summary>
    public static int? StepCapacity(int current, double metric, StepScalingConfiguration step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var adjustment = step.StepAdjustments?.FirstOrDefault(s =>
            (s.MetricIntervalLowerBound is not { } lower || metric >= lower) && (s.MetricIntervalUpperBound is not { } upper || metric < upper));
        if (adjustment?.ScalingAdjustment is not { } change)
        {
            return null;
        }

        var capacity = step.AdjustmentType switch
        {
            "ExactCapacity" => change,
            "PercentChangeInCapacity" => current + PercentChange(current, change, step.MinAdjustmentMagnitude),
            _ => current + change,
        };
        return capacity == current ? null : Math.Max(0, capacity);
    }

    /// <summary>AWS's rounding: a change between 0 and 1 is 1, between -1 and 0 is -1, otherwise toward zero; at least MinAdjustmentMagnitude.</summary>
    private static int PercentChange(int current, int percent, int? minMagnitude)
    {
        var exact = current * percent / 100.0;
        var change = exact switch
        {
            > 0 and < 1 => 1,
            < 0 and > -1 => -1,
            _ => (int)Math.Truncate(exact),
        };
        if (minMagnitude is { } min && change != 0 && Math.Abs(change) < min)
        {
            change = Math.Sign(change) * min;
        }

        return change;
    }

    private static string StepText(double metric, StepScalingConfiguration step)
    {
        var s = step.StepAdjustments!.First(a => (a.MetricIntervalLowerBound is not { } l || metric >= l) && (a.MetricIntervalUpperBound is not { } u || metric < u));
        return $"[{(s.MetricIntervalLowerBound is { } lower ? Format(lower) : "-inf")}, {(s.MetricIntervalUpperBound is { } upper ? Format(upper) : "+inf")}) " +
            $"{step.AdjustmentType} {s.ScalingAdjustment:+0;-0;0}";
    }

    private static bool Elapsed(DateTimeOffset? last, int? cooldownSeconds, DateTimeOffset now) =>
        last is not { } at || now - at >= TimeSpan.FromSeconds(cooldownSeconds ?? AutoScalingActions.DefaultCooldown);

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static ScalingDecision Larger(ScalingDecision? a, ScalingDecision b) => a is null || b.Desired > a.Desired ? b : a;

    public static string Format(double value) => value.ToString("0.0##", CultureInfo.InvariantCulture);
}
