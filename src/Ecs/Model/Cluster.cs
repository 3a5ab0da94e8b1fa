namespace Orchestrator.Ecs.Model;

public sealed record Cluster
{
    public string ClusterArn { get; init; } = "";
    public string ClusterName { get; init; } = "";
    public string Status { get; init; } = ClusterStatus.Active;
    public int RegisteredContainerInstancesCount { get; init; }
    public int RunningTasksCount { get; init; }
    public int PendingTasksCount { get; init; }
    public int ActiveServicesCount { get; init; }
    public IReadOnlyList<NameValuePair>? Statistics { get; init; }
    public IReadOnlyList<Tag>? Tags { get; init; }
    public IReadOnlyList<NameValuePair>? Settings { get; init; }
    public IReadOnlyList<string>? CapacityProviders { get; init; }
    public IReadOnlyList<CapacityProviderStrategyItem>? DefaultCapacityProviderStrategy { get; init; }
}

public static class ClusterStatus
{
    public const string Active = "ACTIVE";
    public const string Inactive = "INACTIVE";
}

public sealed record Tag(string? Key, string? Value);

/// <summary>One entry of a response's <c>failures</c>: an item the action could not handle, and why.</summary>
public sealed record Failure(string? Arn, string Reason, string? Detail = null);
