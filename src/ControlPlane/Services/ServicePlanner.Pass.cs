using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

public static partial class ServicePlanner
{
    /// <summary>The working state of one planning pass.</summary>
    private sealed partial class Pass(ServiceInputs input)
    {
        private readonly List<ServiceLaunch> launches = [];
        private readonly List<ServiceStop> stops = [];
        private readonly HashSet<string> stopping = new(StringComparer.Ordinal);
        private readonly List<string> accounted = [];
        private readonly List<string> newlyHealthy = [];
        private readonly List<string> events = [];
        private List<Deployment> deployments = [.. input.Service.Deployments];

        public ServiceRecord Service { get; private set; } = input.Service;

        private DateTimeOffset Now => input.Now;

        private Deployment Primary => deployments.First(d => d.Status == DeploymentStatus.Primary);

        /// <summary>Live tasks not stopped by this pass.</summary>
        private IEnumerable<ServiceTask> Remaining => input.Tasks.Where(t => t.IsActive && !stopping.Contains(t.Arn));

        /// <summary>Counts stopped tasks (failures feed the circuit breaker and the relaunch back-off) and tasks newly healthy.</summary>
        public void AccountForTasks()
        {
            var failures = 0;
            foreach (var task in input.Tasks)
            {
                if (!task.IsLive && !task.StopAccounted)
                {
                    accounted.Add(task.Arn);
                    if (IsFailure(task))
                    {
                        failures++;
                        UpdateDeployment(task.DeploymentId, d => d with { FailedTasks = d.FailedTasks + 1 });
                    }
                }
                else if (task.IsActive && task.Health == TaskHealth.Healthy && !task.SeenHealthy)
                {
                    newlyHealthy.Add(task.Arn);
                    UpdateDeployment(task.DeploymentId, d => d with { FailedTasks = 0 });
                    Service = Service with { ConsecutiveFailures = 0, NextLaunchAt = null };
                }
            }

            if (failures > 0)
            {
                var consecutive = Service.ConsecutiveFailures + failures;
                var delay = RelaunchDelay(consecutive);
                Service = Service with { ConsecutiveFailures = consecutive, NextLaunchAt = delay > TimeSpan.Zero ? Now + delay : null };
                if (delay > TimeSpan.Zero && Service.ConsecutiveFailures - failures < ThrottleAfter)
                {
                    Say(ServiceMessages.Throttled(Service.Name));
                }
            }
        }

        /// <summary>Fails the primary deployment when too many of its tasks failed, and rolls back if asked to.</summary>
        public void CheckCircuitBreaker()
        {
            var primary = Primary;
            if (!Service.CircuitBreakerEnabled || primary.RolloutState != RolloutStates.InProgress ||
                primary.FailedTasks < FailureThreshold(Service.IsDaemon ? EligibleCount : Service.DesiredCount))
            {
                return;
            }

            UpdateDeployment(primary.Id, d => d with { RolloutState = RolloutStates.Failed, RolloutStateReason = ServiceMessages.CircuitBreakerReason, UpdatedAt = Now });
            Say(ServiceMessages.DeploymentFailed(Service.Name, primary.Id));
            var target = Service.LastCompletedTaskDefinitionArn;
            if (!Service.CircuitBreakerRollback || target is null || target == primary.TaskDefinition)
            {
                return;
            }

            UpdateDeployment(primary.Id, d => d with { Status = DeploymentStatus.Active });
            deployments.Insert(0, NewDeployment(input.NextDeploymentId, target, Service.DesiredCount, Now, Service.LaunchType));
            Service = Service with { TaskDefinitionArn = target, ConsecutiveFailures = 0, NextLaunchAt = null };
            Say(ServiceMessages.RollingBack(Service.Name, input.NextDeploymentId, Ecs.Arns.ShortName(target, "task-definition")));
        }

        private int EligibleCount => input.Instances.Count(i => i.Eligible);

        private bool MayLaunch => Primary.RolloutState != RolloutStates.Failed && (Service.NextLaunchAt is not { } at || Now >= at);

        private void Stop(ServiceTask task, string reason)
        {
            if (stopping.Add(task.Arn))
            {
                stops.Add(new ServiceStop(task.Arn, reason));
            }
        }

        private void Say(string message) => events.Add(message);

        private void UpdateDeployment(string id, Func<Deployment, Deployment> change)
        {
            var index = deployments.FindIndex(d => d.Id == id);
            if (index >= 0)
            {
                deployments[index] = change(deployments[index]);
            }
        }

        private bool IsDraining(ServiceTask task) =>
            task.InstanceArn is { } arn && input.Instances.FirstOrDefault(i => i.Arn == arn) is { Status: not ContainerInstanceStatus.Active };

        private bool IsPastGrace(ServiceTask task) =>
            task.StartedAt is not { } started || started + TimeSpan.FromSeconds(Service.HealthCheckGracePeriodSeconds) <= Now;

        /// <summary>The plan; its service is the very input record when the pass changed nothing in it.</summary>
        public ServicePlan Result()
        {
            var unchanged = Service == input.Service && deployments.SequenceEqual(input.Service.Deployments);
            return new(unchanged ? input.Service : Service with { Deployments = deployments }, launches, stops, accounted, newlyHealthy, events);
        }
    }
}
