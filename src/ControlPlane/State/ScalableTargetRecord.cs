using System.Text.Json;

namespace Orchestrator.ControlPlane.State;

/// <summary>
/// A service's scalable target (Application Auto Scaling's <c>ecs:service:DesiredCount</c> of <c>service/CLUSTER/SERVICE</c>):
/// its bounds, its scaling policies and scheduled actions (Application Auto Scaling's JSON, kept as answered) with what
/// the scaler keeps between passes (cooldown times, a scheduled action's last firing), and its latest activities.
/// </summary>
public sealed record ScalableTargetRecord
{
    /// <summary>The activities kept per target; older ones are dropped.</summary>
    public const int MaxActivities = 100;

    public required string ResourceId { get; init; }
    public required string ClusterName { get; init; }
    public required string ServiceName { get; init; }
    public required string Arn { get; init; }
    public int MinCapacity { get; init; }
    public int MaxCapacity { get; init; }
    public string? RoleArn { get; init; }
    public DateTimeOffset CreationTime { get; init; }
    public bool DynamicScalingInSuspended { get; init; }
    public bool DynamicScalingOutSuspended { get; init; }
    public bool ScheduledScalingSuspended { get; init; }
    public IReadOnlyList<ScalingPolicyRecord> Policies { get; init; } = [];
    public IReadOnlyList<ScheduledActionRecord> ScheduledActions { get; init; } = [];

    /// <summary>Newest first, at most <see cref="MaxActivities"/>.</summary>
    public IReadOnlyList<ScalingActivityRecord> Activities { get; init; } = [];

    public string Key => ResourceId;

    public ScalableTargetRecord WithActivity(ScalingActivityRecord activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var list = new List<ScalingActivityRecord>(Activities.Count + 1) { activity };
        list.AddRange(Activities.Take(MaxActivities - 1));
        return this with { Activities = list };
    }
}

/// <summary>A scaling policy: its definition as DescribeScalingPolicies answers it, and when it last scaled out and in.</summary>
public sealed record ScalingPolicyRecord(string Name, JsonElement Definition)
{
    public DateTimeOffset? LastScaleOutAt { get; init; }
    public DateTimeOffset? LastScaleInAt { get; init; }
}

/// <summary>A scheduled action: its definition as DescribeScheduledActions answers it, and the scheduled time it last fired for.</summary>
public sealed record ScheduledActionRecord(string Name, JsonElement Definition)
{
    public DateTimeOffset? LastFireTime { get; init; }

    /// <summary>When it was last put: times before this are never due.</summary>
    public DateTimeOffset ModifiedAt { get; init; }
}

/// <summary>One scaling activity (Application Auto Scaling's ScalingActivity).</summary>
public sealed record ScalingActivityRecord
{
    public required string ActivityId { get; init; }
    public required string Description { get; init; }
    public required string Cause { get; init; }
    public DateTimeOffset StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public string StatusCode { get; init; } = "Successful";
    public string? StatusMessage { get; init; }
    public string? Details { get; init; }
}
