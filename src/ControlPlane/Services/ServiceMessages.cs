using System.Globalization;

namespace Orchestrator.ControlPlane.Services;

/// <summary>Service events and stop reasons in ECS's wording.</summary>
public static class ServiceMessages
{
    public const string HealthCheckFailed = "Task failed container health checks";
    public const string InstanceDraining = "Container instance is draining";
    public const string ServiceDeleted = "Service is being deleted";
    public const string NotEligible = "Container instance no longer meets the service's placement constraints";

    public static string ScalingActivity(string deploymentId) => $"Scaling activity initiated by (deployment {deploymentId})";

    public static string SteadyState(string service) => $"(service {service}) has reached a steady state.";

    public static string Started(string service, IReadOnlyList<string> taskIds) =>
        $"(service {service}) has started {Count(taskIds.Count)} {Tasks(taskIds.Count)}: {string.Join(' ', taskIds.Select(id => $"(task {id})"))}.";

    public static string Stopped(string service, IReadOnlyList<string> taskIds) =>
        $"(service {service}) has stopped {Count(taskIds.Count)} running {Tasks(taskIds.Count)}: {string.Join(' ', taskIds.Select(id => $"(task {id})"))}.";

    public static string DeploymentCompleted(string service, string deploymentId) =>
        $"(service {service}) (deployment {deploymentId}) deployment completed.";

    public static string DeploymentFailed(string service, string deploymentId) =>
        $"(service {service}) (deployment {deploymentId}) deployment failed: tasks failed to start.";

    public static string RollingBack(string service, string deploymentId, string taskDefinition) =>
        $"(service {service}) (deployment {deploymentId}) rolling back to {taskDefinition}.";

    public static string Throttled(string service) => $"(service {service}) is unable to consistently start tasks successfully.";

    public static string ConfigurationDeadlock(string service) =>
        $"(service {service}) was unable to stop or start tasks during a deployment because of the service deployment configuration. " +
        "Update the minimumHealthyPercent or maximumPercent value and try again.";

    public static string UnableToPlace(string service, string closestInstanceId, string problem) =>
        $"(service {service}) was unable to place a task because no container instance met all of its requirements. " +
        $"The closest matching (container-instance {closestInstanceId}) {problem}. " +
        "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.";

    public static string NoInstances(string service) =>
        $"(service {service}) was unable to place a task. Reason: No Container Instances were found in your cluster.";

    public static string CompletedReason(string deploymentId) => $"ECS deployment {deploymentId} completed.";

    public static string InProgressReason(string deploymentId) => $"ECS deployment {deploymentId} in progress.";

    public const string CircuitBreakerReason = "ECS deployment circuit breaker: tasks failed to start.";

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Tasks(int n) => n == 1 ? "task" : "tasks";
}
