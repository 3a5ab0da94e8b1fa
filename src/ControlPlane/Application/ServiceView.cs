using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

/// <summary>A service as ECS shows it: its record with the running and pending counts of it and of each deployment.</summary>
public static class ServiceView
{
    /// <summary>The service deployment ARN of one of the service's deployments (…:service-deployment/CLUSTER/SERVICE/ID).</summary>
    public static string DeploymentArn(Arns arns, ServiceRecord service, Deployment deployment) =>
        $"arn:aws:ecs:{arns.Region}:{arns.Account}:service-deployment/{service.ClusterName}/{service.Name}/{IdOf(deployment)}";

    /// <summary>The service revision ARN a deployment deploys (…:service-revision/CLUSTER/SERVICE/ID).</summary>
    public static string RevisionArn(Arns arns, ServiceRecord service, Deployment deployment) =>
        $"arn:aws:ecs:{arns.Region}:{arns.Account}:service-revision/{service.ClusterName}/{service.Name}/{IdOf(deployment)}";

    private static string IdOf(Deployment deployment) =>
        deployment.Id.StartsWith("ecs-svc/", StringComparison.Ordinal) ? deployment.Id["ecs-svc/".Length..] : deployment.Id;

    public static Service From(Arns arns, StateSnapshot state, ServiceRecord service, DescribeIncludes include)
    {
        var tasks = state.TasksOf(service).Where(t => t.Task.LastStatus != TaskStatus.Stopped && t.Task.DesiredStatus == TaskStatus.Running).ToList();
        int Running(string? deployment) => tasks.Count(t => t.Task.LastStatus == TaskStatus.Running && (deployment is null || t.Task.StartedBy == deployment));
        int Pending(string? deployment) => tasks.Count(t => t.Task.LastStatus is TaskStatus.Pending or TaskStatus.Provisioning && (deployment is null || t.Task.StartedBy == deployment));
        return new Service
        {
            ServiceArn = service.Arn,
            ServiceName = service.Name,
            ClusterArn = arns.Cluster(service.ClusterName),
            Status = service.Status,
            DesiredCount = service.IsDaemon ? service.Primary?.DesiredCount ?? 0 : service.DesiredCount,
            RunningCount = Running(null),
            PendingCount = Pending(null),
            LaunchType = service.LaunchType,
            CapacityProviderStrategy = service.CapacityProviderStrategy.Count > 0 ? service.CapacityProviderStrategy : null,
            TaskDefinition = service.TaskDefinitionArn,
            DeploymentConfiguration = new DeploymentConfiguration
            {
                DeploymentCircuitBreaker = new DeploymentCircuitBreaker(service.CircuitBreakerEnabled, service.CircuitBreakerRollback),
                MaximumPercent = service.MaximumPercent,
                MinimumHealthyPercent = service.MinimumHealthyPercent,
                Alarms = new DeploymentAlarms { AlarmNames = [], Enable = false, Rollback = false },
                Strategy = "ROLLING",
            },
            Deployments = service.Deployments.Select(d => d with { RunningCount = Running(d.Id), PendingCount = Pending(d.Id) }).ToList(),
            Events = service.Events,
            CreatedAt = service.CreatedAt,
            CreatedBy = service.CreatedBy,
            HealthCheckGracePeriodSeconds = service.HealthCheckGracePeriodSeconds,
            EnableExecuteCommand = service.EnableExecuteCommand,
            ServiceRegistries = service.ServiceRegistries,
            LoadBalancers = service.LoadBalancers,
            PlacementConstraints = service.PlacementConstraints,
            PlacementStrategy = service.PlacementStrategy,
            SchedulingStrategy = service.SchedulingStrategy,
            DeploymentController = new DeploymentController("ECS"),
            PropagateTags = "NONE",
            CurrentServiceDeployment = service.Primary is { } primary ? DeploymentArn(arns, service, primary) : null,
            Tags = include.Has("TAGS") && !ReferenceEquals(include, DescribeIncludes.None) ? state.TagsOf(service.Arn) : null,
        };
    }
}
