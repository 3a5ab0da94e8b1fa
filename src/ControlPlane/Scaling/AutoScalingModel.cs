namespace Orchestrator.ControlPlane.Scaling;

// Application Auto Scaling's request and answer shapes (AWS JSON 1.1, the API's own PascalCase member names), as
// botocore's application-autoscaling 2016-02-06 model has them; members this control plane does not take are left
// out, so a request naming one is refused as unknown rather than silently ignored.

#pragma warning disable CA1056, CA1002, CA2227 // the wire's names and shapes

public sealed record ScalableTargetInput
{
    public string? ServiceNamespace { get; init; }
    public string? ResourceId { get; init; }
    public string? ScalableDimension { get; init; }
    public int? MinCapacity { get; init; }
    public int? MaxCapacity { get; init; }
    public string? RoleARN { get; init; }
    public SuspendedState? SuspendedState { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
}

public sealed record SuspendedState
{
    public bool? DynamicScalingInSuspended { get; init; }
    public bool? DynamicScalingOutSuspended { get; init; }
    public bool? ScheduledScalingSuspended { get; init; }
}

public sealed record TargetKeyInput
{
    public string? ServiceNamespace { get; init; }
    public string? ResourceId { get; init; }
    public string? ScalableDimension { get; init; }
}

public sealed record DescribeInput
{
    public string? ServiceNamespace { get; init; }
    public List<string>? ResourceIds { get; init; }
    public string? ResourceId { get; init; }
    public string? ScalableDimension { get; init; }
    public List<string>? PolicyNames { get; init; }
    public List<string>? ScheduledActionNames { get; init; }
    public int? MaxResults { get; init; }
    public string? NextToken { get; init; }
    public bool? IncludeNotScaledActivities { get; init; }
}

public sealed record ScalableTargetOutput
{
    public string? ServiceNamespace { get; init; }
    public string? ResourceId { get; init; }
    public string? ScalableDimension { get; init; }
    public int MinCapacity { get; init; }
    public int MaxCapacity { get; init; }
    public string? RoleARN { get; init; }
    public DateTimeOffset CreationTime { get; init; }
    public SuspendedState? SuspendedState { get; init; }
    public string? ScalableTargetARN { get; init; }
}

public sealed record ScalingPolicyInput
{
    public string? PolicyName { get; init; }
    public string? ServiceNamespace { get; init; }
    public string? ResourceId { get; init; }
    public string? ScalableDimension { get; init; }
    public string? PolicyType { get; init; }
    public StepScalingConfiguration? StepScalingPolicyConfiguration { get; init; }
    public TargetTrackingConfiguration? TargetTrackingScalingPolicyConfiguration { get; init; }
    public System.Text.Json.JsonElement? PredictiveScalingPolicyConfiguration { get; init; }
}

public sealed record TargetTrackingConfiguration
{
    public double? TargetValue { get; init; }
    public PredefinedMetric? PredefinedMetricSpecification { get; init; }
    public System.Text.Json.JsonElement? CustomizedMetricSpecification { get; init; }
    public int? ScaleOutCooldown { get; init; }
    public int? ScaleInCooldown { get; init; }
    public bool? DisableScaleIn { get; init; }
}

public sealed record PredefinedMetric
{
    public string? PredefinedMetricType { get; init; }
    public string? ResourceLabel { get; init; }
}

public sealed record StepScalingConfiguration
{
    public string? AdjustmentType { get; init; }
    public List<StepAdjustment>? StepAdjustments { get; init; }
    public int? MinAdjustmentMagnitude { get; init; }
    public int? Cooldown { get; init; }
    public string? MetricAggregationType { get; init; }
}

public sealed record StepAdjustment
{
    public double? MetricIntervalLowerBound { get; init; }
    public double? MetricIntervalUpperBound { get; init; }
    public int? ScalingAdjustment { get; init; }
}

public sealed record ScalingPolicyOutput
{
    public string? PolicyARN { get; init; }
    public string? PolicyName { get; init; }
    public string? ServiceNamespace { get; init; }
    public string? ResourceId { get; init; }
    public string? ScalableDimension { get; init; }
    public string? PolicyType { get; init; }
    public StepScalingConfiguration? StepScalingPolicyConfiguration { get; init; }
    public TargetTrackingConfiguration? TargetTrackingScalingPolicyConfiguration { get; init; }
    public List<AlarmOutput> Alarms { get; init; } = [];
    public DateTimeOffset CreationTime { get; init; }
}

public sealed record AlarmOutput(string AlarmName, string AlarmARN);

public sealed record PutScalingPolicyOutput(string PolicyARN, List<AlarmOutput> Alarms);

public sealed record ScheduledActionInput
{
    public string? ServiceNamespace { get; init; }
    public string? Schedule { get; init; }
    public string? Timezone { get; init; }
    public string? ScheduledActionName { get; init; }
    public string? ResourceId { get; init; }
    public string? ScalableDimension { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public ScalableTargetAction? ScalableTargetAction { get; init; }
}

public sealed record ScalableTargetAction
{
    public int? MinCapacity { get; init; }
    public int? MaxCapacity { get; init; }
}

public sealed record ScheduledActionOutput
{
    public string? ScheduledActionName { get; init; }
    public string? ScheduledActionARN { get; init; }
    public string? ServiceNamespace { get; init; }
    public string? Schedule { get; init; }
    public string? Timezone { get; init; }
    public string? ResourceId { get; init; }
    public string? ScalableDimension { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public ScalableTargetAction? ScalableTargetAction { get; init; }
    public DateTimeOffset CreationTime { get; init; }
}

public sealed record ScalingActivityOutput
{
    public string? ActivityId { get; init; }
    public string? ServiceNamespace { get; init; }
    public string? ResourceId { get; init; }
    public string? ScalableDimension { get; init; }
    public string? Description { get; init; }
    public string? Cause { get; init; }
    public DateTimeOffset StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public string? StatusCode { get; init; }
    public string? StatusMessage { get; init; }
    public string? Details { get; init; }
}

public sealed record RegisterOutput(string ScalableTargetARN);

public sealed record TargetsOutput(List<ScalableTargetOutput> ScalableTargets, string? NextToken);

public sealed record PoliciesOutput(List<ScalingPolicyOutput> ScalingPolicies, string? NextToken);

public sealed record ScheduledActionsOutput(List<ScheduledActionOutput> ScheduledActions, string? NextToken);

public sealed record ActivitiesOutput(List<ScalingActivityOutput> ScalingActivities, string? NextToken);

public sealed record TagsInput
{
    public string? ResourceARN { get; init; }
    public Dictionary<string, string>? Tags { get; init; }
    public List<string>? TagKeys { get; init; }
}

public sealed record TagsOutput(Dictionary<string, string> Tags);
