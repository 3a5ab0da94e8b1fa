using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

public static partial class ServicePlanner
{
    /// <summary>The working state of one planning pass.</summary>
    private sealed partial class Pass(ServiceInputs input)
    {
        private readonly List<ServiceLaunch> _launches = [];
        private readonly List<ServiceStop> _stops = [];
        private readonly HashSet<string> _stopping = new(StringComparer.Ordinal);
        private readonly List<string> _accounted = [];
        private readonly List<string> _newlyHealthy = [];
        private readonly List<string> _events = [];
        private List<Deployment> _deployments = [.. input.Service.Deployments];

        public ServiceRecord Service { get; private set; } = input.Service;

        private DateTimeOffset Now => input.Now;

        private Deployment Primary => _deployments.First(d => d.Status == DeploymentStatus.Primary);

        /// <summary>Live tasks not stopped by this pass.</summary>
        private IEnumerable<ServiceTask> Remaining => input.Tasks.Where(t => t.IsActive && !_stopping.Contains(t.Arn));

        /// <summary>Counts stopped tasks (failures feed the circuit breaker and the relaunch back-off) and tasks newly healthy.</summary>
        public void AccountForTasks()
        {
            var failures = 0;
            foreach (var task in input.Tasks)
            {
                if (!task.IsLive && !task.StopAccounted)
                {
                    _accounted.Add(task.Arn);
                    if (IsFailure(task))
                    {
                        failures++;
                        UpdateDeployment(task.DeploymentId, d => d with { FailedTasks = d.FailedTasks + 1 });
                    }
                }
                else if (task.IsActive && task.Health == TaskHealth.Healthy && !task.SeenHealthy)
                {
                    _newlyHealthy.Add(task.Arn);
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
            _deployments.Insert(0, NewDeployment(input.NextDeploymentId, target, Service.DesiredCount, Now, Service.LaunchType, Service.CapacityProviderStrategy));
            Service = Service with { TaskDefinitionArn = target, ConsecutiveFailures = 0, NextLaunchAt = null };
            Say(ServiceMessages.RollingBack(Service.Name, input.NextDeploymentId, Ecs.Arns.ShortName(target, "task-definition")));
        }

        private int EligibleCount => input.Instances.Count(i => i.Eligible);

        private bool MayLaunch => Primary.RolloutState != RolloutStates.Failed && (Service.NextLaunchAt is not { } at || Now >= at);

        private void Stop(ServiceTask task, string reason)
        {
            if (_stopping.Add(task.Arn))
            {
                _stops.Add(new ServiceStop(task.Arn, reason));
            }
        }

        private void Say(string message) => _events.Add(message);

        private void UpdateDeployment(string id, Func<Deployment, Deployment> change)
        {
            var index = _deployments.FindIndex(d => d.Id == id);
            if (index >= 0)
            {
                _deployments[index] = change(_deployments[index]);
            }
        }

        private bool IsDraining(ServiceTask task) =>
            task.InstanceArn is { } arn && input.Instances.FirstOrDefault(i => i.Arn == arn) is { Status: not ContainerInstanceStatus.Active };

        private bool IsPastGrace(ServiceTask task) =>
            task.StartedAt is not { } started || started + TimeSpan.FromSeconds(Service.HealthCheckGracePeriodSeconds) <= Now;

        /// <summary>The plan; its service is the very input record when the pass changed nothing in it.</summary>
        public ServicePlan Result()
        {
            var unchanged = Service == input.Service && _deployments.SequenceEqual(input.Service.Deployments);
            return new(unchanged ? input.Service : Service with { Deployments = _deployments }, _launches, _stops, _accounted, _newlyHealthy, _events);
        }
    }
}
