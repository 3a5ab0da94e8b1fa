namespace Orchestrator.ControlPlane.Scaling;

/// <summary>
/// The service auto scaler's timing (<c>--AutoScaling:Interval=00:00:15</c> and so on). AWS evaluates target tracking
/// on one-minute CloudWatch datapoints (three above the target to scale out, fifteen below 90 % of it to scale in);
/// here the metric is the mean over <see cref="MetricWindow"/> of the agents' samples, looked at every
/// <see cref="Interval"/>, and scale-in waits until it has stayed low for <see cref="ScaleInPeriod"/>.
/// </summary>
public sealed class AutoScalingOptions
{
    public const string Section = "AutoScaling";

    /// <summary>How often every scalable target is evaluated.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How far back the tasks' samples count toward the metric.</summary>
    public TimeSpan MetricWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a target tracking metric must stay below 90 % of its target before the service is scaled in.</summary>
    public TimeSpan ScaleInPeriod { get; set; } = TimeSpan.FromMinutes(5);

    public void Validate()
    {
        if (Interval < TimeSpan.FromMilliseconds(100) || Interval > TimeSpan.FromHours(1))
        {
            throw new InvalidOperationException("AutoScaling:Interval must be between 00:00:00.1 and 01:00:00.");
        }

        if (MetricWindow < TimeSpan.FromSeconds(1) || MetricWindow > TimeSpan.FromMinutes(10))
        {
            throw new InvalidOperationException("AutoScaling:MetricWindow must be between 00:00:01 and 00:10:00 (the control plane keeps ten minutes of samples).");
        }

        if (ScaleInPeriod < TimeSpan.Zero || ScaleInPeriod > TimeSpan.FromHours(1))
        {
            throw new InvalidOperationException("AutoScaling:ScaleInPeriod must be between 00:00:00 and 01:00:00.");
        }
    }
}
