namespace Orchestrator.Ecs.Model;

// ECS's service deployments and service revisions (ListServiceDeployments, DescribeServiceDeployments,
// DescribeServiceRevisions, StopServiceDeployment): each deployment of a service, and the revision it deploys.

public sealed record ListServiceDeploymentsRequest
{
    public string? Service { get; init; }
    public string? Cluster { get; init; }
    public IReadOnlyList<string>? Status { get; init; }
    public CreatedAtFilter? CreatedAt { get; init; }
    public string? NextToken { get; init; }
    public int? MaxResults { get; init; }
}

/// <summary>ECS's CreatedAt filter: deployments created after and/or before the given times.</summary>
public sealed record CreatedAtFilter
{
    public DateTimeOffset? Before { get; init; }
    public DateTimeOffset? After { get; init; }
}

public sealed record ListServiceDeploymentsResponse(IReadOnlyList<ServiceDeploymentBrief> ServiceDeployments, string? NextToken);

public sealed record ServiceDeploymentBrief
{
    public string ServiceDeploymentArn { get; init; } = "";
    public string ServiceArn { get; init; } = "";
    public string ClusterArn { get; init; } = "";
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string TargetServiceRevisionArn { get; init; } = "";
    public string Status { get; init; } = "";
    public string? StatusReason { get; init; }
}

public sealed record DescribeServiceDeploymentsRequest
{
    public IReadOnlyList<string>? ServiceDeploymentArns { get; init; }
}

public sealed record DescribeServiceDeploymentsResponse(IReadOnlyList<ServiceDeployment> ServiceDeployments, IReadOnlyList<Failure> Failures);

public sealed record ServiceDeployment
{
    public string ServiceDeploymentArn { get; init; } = "";
    public string ServiceArn { get; init; } = "";
    public string ClusterArn { get; init; } = "";
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset? StoppedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public IReadOnlyList<ServiceRevisionSummary> SourceServiceRevisions { get; init; } = [];
    public ServiceRevisionSummary? TargetServiceRevision { get; init; }
    public string Status { get; init; } = "";
    public string? StatusReason { get; init; }
    public DeploymentConfiguration? DeploymentConfiguration { get; init; }
    public ServiceDeploymentCircuitBreaker? DeploymentCircuitBreaker { get; init; }
}

public sealed record ServiceRevisionSummary(string Arn, int RequestedTaskCount, int RunningTaskCount, int PendingTaskCount);

public sealed record ServiceDeploymentCircuitBreaker(string Status, int FailureCount, int Threshold);

public sealed record DescribeServiceRevisionsRequest
{
    public IReadOnlyList<string>? ServiceRevisionArns { get; init; }
}

public sealed record DescribeServiceRevisionsResponse(IReadOnlyList<ServiceRevision> ServiceRevisions, IReadOnlyList<Failure> Failures);

public sealed record ServiceRevision
{
    public string ServiceRevisionArn { get; init; } = "";
    public string ServiceArn { get; init; } = "";
    public string ClusterArn { get; init; } = "";
    public string TaskDefinition { get; init; } = "";
    public string? LaunchType { get; init; }
    public IReadOnlyList<object> LoadBalancers { get; init; } = [];
    public IReadOnlyList<object> ServiceRegistries { get; init; } = [];
    public IReadOnlyList<ContainerImage> ContainerImages { get; init; } = [];
    public bool GuardDutyEnabled { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
}

public sealed record ContainerImage(string ContainerName, string Image);

public sealed record StopServiceDeploymentRequest
{
    public string? ServiceDeploymentArn { get; init; }
    public string? StopType { get; init; }
}

public sealed record StopServiceDeploymentResponse(string ServiceDeploymentArn);

public static class ServiceDeploymentStatuses
{
    public const string InProgress = "IN_PROGRESS";
    public const string Successful = "SUCCESSFUL";
    public const string Stopped = "STOPPED";
    public const string RollbackRequested = "ROLLBACK_REQUESTED";
}
