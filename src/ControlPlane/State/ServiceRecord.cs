using System.Text.Json.Serialization;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.State;

/// <summary>
/// A service: what it should run, its deployments (ECS's own Deployment shape, newest — the PRIMARY — first) and
/// what the service scheduler keeps between passes (events, relaunch back-off, steady-state reporting).
/// </summary>
public sealed record ServiceRecord
{
    public const int MaxEvents = 100;

    public required string Name { get; init; }
    public required string Arn { get; init; }
    public required string ClusterName { get; init; }
    public string Status { get; init; } = ServiceStatus.Active;
    public string SchedulingStrategy { get; init; } = SchedulingStrategies.Replica;
    public int DesiredCount { get; init; }
    public required string TaskDefinitionArn { get; init; }
    public string? LaunchType { get; init; }
    /// <summary>The service's capacity provider strategy (ECS's items, base and weight filled in); empty with a launch type.</summary>
    public IReadOnlyList<CapacityProviderStrategyItem> CapacityProviderStrategy { get; init; } = [];
    public int MinimumHealthyPercent { get; init; } = 100;
    public int MaximumPercent { get; init; } = 200;
    public bool CircuitBreakerEnabled { get; init; }
    public bool CircuitBreakerRollback { get; init; }
    public int HealthCheckGracePeriodSeconds { get; init; }
    /// <summary>The service's new tasks may run commands (`orch task exec`).</summary>
    public bool EnableExecuteCommand { get; init; }
    public IReadOnlyList<PlacementConstraint> PlacementConstraints { get; init; } = [];
    public IReadOnlyList<PlacementStrategy> PlacementStrategy { get; init; } = [];
    /// <summary>Service discovery: at most one registry (README "Service discovery"); empty when the service has none.</summary>
    public IReadOnlyList<ServiceRegistry> ServiceRegistries { get; init; } = [];
    /// <summary>The built-in load balancer's target groups its tasks are registered in (targetGroupArn as given).</summary>
    public IReadOnlyList<LoadBalancer> LoadBalancers { get; init; } = [];
    public IReadOnlyList<Deployment> Deployments { get; init; } = [];
    public IReadOnlyList<ServiceEvent> Events { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public string? ClientToken { get; init; }
    public long Version { get; init; }

    /// <summary>Task failures since a task last became healthy; drives the relaunch back-off.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>No tasks are started before this time (relaunch back-off).</summary>
    public DateTimeOffset? NextLaunchAt { get; init; }

    /// <summary>The task definition of the last deployment that completed: what a rollback returns to.</summary>
    public string? LastCompletedTaskDefinitionArn { get; init; }

    /// <summary>"has reached a steady state" was said and nothing has changed since.</summary>
    public bool SteadyStateReported { get; init; }

    [JsonIgnore]
    public string TaskGroup => "service:" + Name;

    [JsonIgnore]
    public Deployment? Primary => Deployments.FirstOrDefault(d => d.Status == DeploymentStatus.Primary);

    [JsonIgnore]
    public bool IsDaemon => SchedulingStrategy == SchedulingStrategies.Daemon;
}
