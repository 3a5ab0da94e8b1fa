using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

/// <summary>
/// The service scheduler's decisions, one pass at a time, in the manner of Nomad's reconciler: compare what the
/// service wants with the tasks it has and say which to start and which to stop, within the deployment's
/// minimumHealthyPercent/maximumPercent bounds. Pure: the same inputs always give the same plan.
/// </summary>
public static partial class ServicePlanner
{
    /// <summary>Consecutive task failures after which relaunching is throttled.</summary>
    public const int ThrottleAfter = 3;

    public static readonly TimeSpan MaxRelaunchDelay = TimeSpan.FromMinutes(15);

    /// <summary>ECS's circuit breaker threshold: half the desired count, at least 3, at most 200 failed tasks.</summary>
    public static int FailureThreshold(int desiredCount) => Math.Clamp((desiredCount + 1) / 2, 3, 200);

    public static TimeSpan RelaunchDelay(int consecutiveFailures) =>
        consecutiveFailures < ThrottleAfter
            ? TimeSpan.Zero
            : TimeSpan.FromTicks(Math.Min(MaxRelaunchDelay.Ticks, TimeSpan.FromSeconds(5).Ticks << Math.Min(consecutiveFailures - ThrottleAfter, 20)));

    public static ServicePlan Plan(ServiceInputs input)
    {
        var pass = new Pass(input);
        pass.AccountForTasks();
        pass.CheckCircuitBreaker();
        if (pass.Service.IsDaemon)
        {
            pass.PlanDaemon();
        }
        else
        {
            pass.PlanReplica();
        }

        pass.Conclude();
        return pass.Result();
    }

    /// <summary>
    /// A new PRIMARY deployment, IN_PROGRESS, with the service's capacity provider <paramref name="strategy"/> when it
    /// has one, else its <paramref name="launchType"/>.
    /// </summary>
    public static Deployment NewDeployment(string id, string taskDefinitionArn, int desiredCount, DateTimeOffset now, string? launchType,
        IReadOnlyList<CapacityProviderStrategyItem> strategy) => new()
    {
        Id = id,
        Status = DeploymentStatus.Primary,
        TaskDefinition = taskDefinitionArn,
        DesiredCount = desiredCount,
        CreatedAt = now,
        UpdatedAt = now,
        LaunchType = strategy.Count > 0 ? null : launchType ?? "EC2",
        CapacityProviderStrategy = strategy.Count > 0 ? strategy : null,
        RolloutState = RolloutStates.InProgress,
        RolloutStateReason = ServiceMessages.InProgressReason(id),
    };

    public static bool IsFailure(ServiceTask task) =>
        task.StopCode is TaskStopCode.TaskFailedToStart or TaskStopCode.EssentialContainerExited ||
        task.StoppedReason == ServiceMessages.HealthCheckFailed;

    /// <summary>ceil(desired × percent / 100) and floor(desired × percent / 100), as ECS rounds them.</summary>
    public static (int MinHealthy, int MaxTotal) Bounds(int desired, int minimumHealthyPercent, int maximumPercent) =>
        // In long: desired × percent overflows int from desired ≈ 10.7 million at 200 %.
        ((int)Math.Min(int.MaxValue, ((long)desired * minimumHealthyPercent + 99) / 100),
         (int)Math.Min(int.MaxValue, (long)desired * maximumPercent / 100));
}
