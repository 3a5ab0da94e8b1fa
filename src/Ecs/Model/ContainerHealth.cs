using System.Text.Json.Serialization;

namespace Orchestrator.Ecs.Model;

/// <summary>
/// A Docker health check in ECS's shape: <c>command</c> starts with <c>CMD</c> or <c>CMD-SHELL</c>; times in seconds.
/// </summary>
public sealed record HealthCheck
{
    public const int DefaultInterval = 30;
    public const int DefaultTimeout = 5;
    public const int DefaultRetries = 3;

    public IReadOnlyList<string>? Command { get; init; }
    public int? Interval { get; init; }
    public int? Timeout { get; init; }
    public int? Retries { get; init; }
    public int? StartPeriod { get; init; }

    [JsonIgnore]
    public int EffectiveInterval => Interval ?? DefaultInterval;

    [JsonIgnore]
    public int EffectiveTimeout => Timeout ?? DefaultTimeout;

    [JsonIgnore]
    public int EffectiveRetries => Retries ?? DefaultRetries;

    [JsonIgnore]
    public int EffectiveStartPeriod => StartPeriod ?? 0;
}

/// <summary>A container that must reach <see cref="Condition"/> before the one declaring it is started.</summary>
public sealed record ContainerDependency
{
    public string? ContainerName { get; init; }
    public string? Condition { get; init; }
}

/// <summary>ECS's enum ContainerCondition.</summary>
public static class ContainerConditions
{
    /// <summary>The dependency has started.</summary>
    public const string Start = "START";
    /// <summary>The dependency has exited, with any code.</summary>
    public const string Complete = "COMPLETE";
    /// <summary>The dependency has exited with code 0.</summary>
    public const string Success = "SUCCESS";
    /// <summary>The dependency's Docker health check passes.</summary>
    public const string Healthy = "HEALTHY";

    public static readonly IReadOnlyList<string> All = [Start, Complete, Success, Healthy];
}

/// <summary>ECS's enum HealthStatus, for tasks and containers.</summary>
public static class HealthStatuses
{
    public const string Healthy = "HEALTHY";
    public const string Unhealthy = "UNHEALTHY";
    public const string Unknown = "UNKNOWN";
}
