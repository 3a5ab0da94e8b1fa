namespace Orchestrator.Ecs.Model;

/// <summary>An ECS service as DescribeServices returns it.</summary>
public sealed record Service
{
    public string ServiceArn { get; init; } = "";
    public string ServiceName { get; init; } = "";
    public string ClusterArn { get; init; } = "";
    public string Status { get; init; } = ServiceStatus.Active;
    public int DesiredCount { get; init; }
    public int RunningCount { get; init; }
    public int PendingCount { get; init; }
    public string? LaunchType { get; init; }
    public IReadOnlyList<CapacityProviderStrategyItem>? CapacityProviderStrategy { get; init; }
    public string? TaskDefinition { get; init; }
    public DeploymentConfiguration? DeploymentConfiguration { get; init; }
    public IReadOnlyList<Deployment> Deployments { get; init; } = [];
    public IReadOnlyList<ServiceEvent> Events { get; init; } = [];
    public DateTimeOffset? CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public int? HealthCheckGracePeriodSeconds { get; init; }
    public IReadOnlyList<PlacementConstraint>? PlacementConstraints { get; init; }
    public IReadOnlyList<PlacementStrategy>? PlacementStrategy { get; init; }
    public string SchedulingStrategy { get; init; } = SchedulingStrategies.Replica;
    public DeploymentController? DeploymentController { get; init; }
    public bool EnableECSManagedTags { get; init; }
    public bool EnableExecuteCommand { get; init; }
    public string? PropagateTags { get; init; }
    public IReadOnlyList<Tag>? Tags { get; init; }

    /// <summary>The ARN of the PRIMARY deployment (see ListServiceDeployments).</summary>
    public string? CurrentServiceDeployment { get; init; }

    /// <summary>Always <c>DISABLED</c>: a cluster without AWS has no availability zones to rebalance across.</summary>
    public string AvailabilityZoneRebalancing { get; init; } = "DISABLED";

    /// <summary>The target groups of the built-in load balancer the service's tasks are registered in (README "Load balancer").</summary>
    public IReadOnlyList<LoadBalancer> LoadBalancers { get; init; } = [];

    /// <summary>The service's discovery registrations (at most one); see README "Service discovery".</summary>
    public IReadOnlyList<ServiceRegistry> ServiceRegistries { get; init; } = [];
}

public sealed record Deployment
{
    public string Id { get; init; } = "";
    public string Status { get; init; } = DeploymentStatus.Primary;
    public string TaskDefinition { get; init; } = "";
    public int DesiredCount { get; init; }
    public int PendingCount { get; init; }
    public int RunningCount { get; init; }
    public int FailedTasks { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public string? LaunchType { get; init; }
    public IReadOnlyList<CapacityProviderStrategyItem>? CapacityProviderStrategy { get; init; }
    public string? RolloutState { get; init; }
    public string? RolloutStateReason { get; init; }
}

public sealed record DeploymentConfiguration
{
    public DeploymentCircuitBreaker? DeploymentCircuitBreaker { get; init; }
    public int? MaximumPercent { get; init; }
    public int? MinimumHealthyPercent { get; init; }

    /// <summary>CloudWatch alarms that stop a deployment: only <c>enable: false</c> (no CloudWatch here).</summary>
    public DeploymentAlarms? Alarms { get; init; }

    /// <summary><c>ROLLING</c>, the one deployment strategy this control plane has.</summary>
    public string? Strategy { get; init; }
}

public sealed record DeploymentAlarms
{
    public IReadOnlyList<string>? AlarmNames { get; init; }
    public bool Enable { get; init; }
    public bool Rollback { get; init; }
}

public sealed record DeploymentCircuitBreaker(bool Enable, bool Rollback);

public sealed record DeploymentController(string? Type);

public sealed record ServiceEvent(string Id, DateTimeOffset CreatedAt, string Message);

public static class ServiceStatus
{
    public const string Active = "ACTIVE";
    public const string Draining = "DRAINING";
    public const string Inactive = "INACTIVE";
}

public static class DeploymentStatus
{
    public const string Primary = "PRIMARY";
    public const string Active = "ACTIVE";
    public const string Inactive = "INACTIVE";
}

public static class RolloutStates
{
    public const string InProgress = "IN_PROGRESS";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";
}

public static class SchedulingStrategies
{
    public const string Replica = "REPLICA";
    public const string Daemon = "DAEMON";
}

public sealed record CreateServiceRequest
{
    public string? Cluster { get; init; }
    public string? ServiceName { get; init; }
    public string? TaskDefinition { get; init; }
    public int? DesiredCount { get; init; }
    public string? ClientToken { get; init; }
    public string? LaunchType { get; init; }
    public IReadOnlyList<CapacityProviderStrategyItem>? CapacityProviderStrategy { get; init; }
    public DeploymentConfiguration? DeploymentConfiguration { get; init; }
    public int? HealthCheckGracePeriodSeconds { get; init; }
    public IReadOnlyList<PlacementConstraint>? PlacementConstraints { get; init; }
    public IReadOnlyList<PlacementStrategy>? PlacementStrategy { get; init; }
    public string? SchedulingStrategy { get; init; }
    public DeploymentController? DeploymentController { get; init; }
    public IReadOnlyList<Tag>? Tags { get; init; }
    public bool? EnableECSManagedTags { get; init; }
    public string? PropagateTags { get; init; }

    /// <summary>Whether `orch task exec` (ECS Exec) may run commands in the service's tasks.</summary>
    public bool? EnableExecuteCommand { get; init; }

    /// <summary>Service discovery (at most one registry): the tasks' addresses under a DNS name of the control plane.</summary>
    public IReadOnlyList<ServiceRegistry>? ServiceRegistries { get; init; }

    /// <summary>The built-in load balancer's target groups the tasks are registered in.</summary>
    public IReadOnlyList<LoadBalancer>? LoadBalancers { get; init; }
}

public sealed record UpdateServiceRequest
{
    public string? Cluster { get; init; }
    public string? Service { get; init; }
    public int? DesiredCount { get; init; }
    public string? TaskDefinition { get; init; }
    public IReadOnlyList<CapacityProviderStrategyItem>? CapacityProviderStrategy { get; init; }
    public DeploymentConfiguration? DeploymentConfiguration { get; init; }
    public bool? ForceNewDeployment { get; init; }
    public int? HealthCheckGracePeriodSeconds { get; init; }
    public IReadOnlyList<PlacementConstraint>? PlacementConstraints { get; init; }
    public IReadOnlyList<PlacementStrategy>? PlacementStrategy { get; init; }

    /// <summary>For the tasks started from now on (with forceNewDeployment, all of them), as in ECS.</summary>
    public bool? EnableExecuteCommand { get; init; }

    /// <summary>Absent: unchanged; <c>[]</c>: no discovery any more.</summary>
    public IReadOnlyList<ServiceRegistry>? ServiceRegistries { get; init; }

    /// <summary>Absent: unchanged; <c>[]</c>: behind no load balancer any more.</summary>
    public IReadOnlyList<LoadBalancer>? LoadBalancers { get; init; }
}

public sealed record DeleteServiceRequest
{
    public string? Cluster { get; init; }
    public string? Service { get; init; }
    public bool? Force { get; init; }
}

public sealed record ServiceResponse(Service Service);

public sealed record DescribeServicesRequest
{
    public string? Cluster { get; init; }
    public IReadOnlyList<string>? Services { get; init; }
    public IReadOnlyList<string>? Include { get; init; }
}

public sealed record DescribeServicesResponse(IReadOnlyList<Service> Services, IReadOnlyList<Failure> Failures);

public sealed record ListServicesRequest
{
    public string? Cluster { get; init; }
    public string? LaunchType { get; init; }
    public string? SchedulingStrategy { get; init; }
    public string? NextToken { get; init; }
    public int? MaxResults { get; init; }
}

public sealed record ListServicesResponse(IReadOnlyList<string> ServiceArns, string? NextToken);
