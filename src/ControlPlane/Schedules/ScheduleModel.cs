using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Json;

namespace Orchestrator.ControlPlane.Schedules;

// EventBridge Scheduler's shapes (botocore's scheduler 2021-06-30 model): PascalCase members, but ECS's own
// lowercase names inside PlacementConstraints, PlacementStrategy and CapacityProviderStrategy.

public sealed record ScheduleInput
{
    public string? Name { get; init; }
    public string? GroupName { get; init; }
    public string? ScheduleExpression { get; init; }
    public string? ScheduleExpressionTimezone { get; init; }
    public DateTimeOffset? StartDate { get; init; }
    public DateTimeOffset? EndDate { get; init; }
    public string? State { get; init; }
    public string? Description { get; init; }
    public FlexibleTimeWindow? FlexibleTimeWindow { get; init; }
    public ScheduleTarget? Target { get; init; }
    public string? ActionAfterCompletion { get; init; }
    public string? ClientToken { get; init; }
    public string? KmsKeyArn { get; init; }
}

public sealed record FlexibleTimeWindow
{
    public string? Mode { get; init; }
    public int? MaximumWindowInMinutes { get; init; }
}

public sealed record ScheduleTarget
{
    public string? Arn { get; init; }
    public string? RoleArn { get; init; }
    public string? Input { get; init; }
    public EcsParameters? EcsParameters { get; init; }
    public RetryPolicy? RetryPolicy { get; init; }
    public DeadLetterConfig? DeadLetterConfig { get; init; }
    public JsonElement? EventBridgeParameters { get; init; }
    public JsonElement? KinesisParameters { get; init; }
    public JsonElement? SageMakerPipelineParameters { get; init; }
    public JsonElement? SqsParameters { get; init; }
}

public sealed record RetryPolicy
{
    public int? MaximumEventAgeInSeconds { get; init; }
    public int? MaximumRetryAttempts { get; init; }
}

public sealed record DeadLetterConfig
{
    public string? Arn { get; init; }
}

public sealed record EcsParameters
{
    public string? TaskDefinitionArn { get; init; }
    public int? TaskCount { get; init; }
    public string? LaunchType { get; init; }
    public string? Group { get; init; }
    public SchedulerNetworkConfiguration? NetworkConfiguration { get; init; }
    public IReadOnlyList<SchedulerPlacementConstraint>? PlacementConstraints { get; init; }
    public IReadOnlyList<SchedulerPlacementStrategy>? PlacementStrategy { get; init; }
    public IReadOnlyList<Dictionary<string, string>>? Tags { get; init; }
    public bool? EnableECSManagedTags { get; init; }
    public bool? EnableExecuteCommand { get; init; }
    public string? PlatformVersion { get; init; }
    public string? PropagateTags { get; init; }
    public string? ReferenceId { get; init; }
    public IReadOnlyList<SchedulerCapacityProviderStrategyItem>? CapacityProviderStrategy { get; init; }
}

public sealed record SchedulerCapacityProviderStrategyItem
{
    [JsonPropertyName("capacityProvider")]
    public string? CapacityProvider { get; init; }

    [JsonPropertyName("weight")]
    public int? Weight { get; init; }

    [JsonPropertyName("base")]
    public int? Base { get; init; }
}

public sealed record SchedulerNetworkConfiguration
{
    [JsonPropertyName("awsvpcConfiguration")]
    public SchedulerAwsVpcConfiguration? AwsvpcConfiguration { get; init; }
}

public sealed record SchedulerAwsVpcConfiguration
{
    public IReadOnlyList<string>? Subnets { get; init; }
    public IReadOnlyList<string>? SecurityGroups { get; init; }
    public string? AssignPublicIp { get; init; }
}

public sealed record SchedulerPlacementConstraint
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("expression")]
    public string? Expression { get; init; }
}

public sealed record SchedulerPlacementStrategy
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("field")]
    public string? Field { get; init; }
}

/// <summary>GetSchedule's answer.</summary>
public sealed record ScheduleOutput
{
    public string? Arn { get; init; }
    public string? Name { get; init; }
    public string? GroupName { get; init; }
    public string? ScheduleExpression { get; init; }
    public string? ScheduleExpressionTimezone { get; init; }
    public DateTimeOffset? StartDate { get; init; }
    public DateTimeOffset? EndDate { get; init; }
    public string? State { get; init; }
    public string? Description { get; init; }
    public FlexibleTimeWindow? FlexibleTimeWindow { get; init; }
    public ScheduleTarget? Target { get; init; }
    public string? ActionAfterCompletion { get; init; }
    public string? KmsKeyArn { get; init; }
    public DateTimeOffset? CreationDate { get; init; }
    public DateTimeOffset? LastModificationDate { get; init; }
}

public sealed record ScheduleArnOutput(string ScheduleArn);

public sealed record ListSchedulesInput
{
    public string? GroupName { get; init; }
    public string? NamePrefix { get; init; }
    public string? State { get; init; }
    public int? MaxResults { get; init; }
    public string? NextToken { get; init; }
}

public sealed record ScheduleSummary
{
    public string? Arn { get; init; }
    public string? Name { get; init; }
    public string? GroupName { get; init; }
    public string? State { get; init; }
    public DateTimeOffset? CreationDate { get; init; }
    public DateTimeOffset? LastModificationDate { get; init; }
    public TargetSummary? Target { get; init; }
}

public sealed record TargetSummary(string? Arn);

public sealed record ListSchedulesOutput(IReadOnlyList<ScheduleSummary> Schedules, string? NextToken);

/// <summary>A schedule's name and group (GetSchedule, DeleteSchedule, and this project's GetScheduleHistory).</summary>
public sealed record ScheduleNameInput
{
    public string? Name { get; init; }
    public string? GroupName { get; init; }
    public string? ClientToken { get; init; }
}

/// <summary>This project's GetScheduleHistory answer (not an EventBridge operation): the latest runs first.</summary>
public sealed record ScheduleHistoryOutput(string Arn, DateTimeOffset? NextFireTime, IReadOnlyList<ScheduleRun> Runs);

/// <summary>The scheduler's JSON conventions: members as named (read case-insensitively), nulls omitted, epoch seconds.</summary>
public static class SchedulerJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            NumberHandling = JsonNumberHandling.Strict,
            MaxDepth = 32,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new EpochSecondsConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
