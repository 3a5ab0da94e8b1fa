using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

public static partial class ServicePlanner
{
    private sealed partial class Pass
    {
        /// <summary>
        /// Retires deployments that have no tasks left, completes the primary once it alone runs the desired number
        /// of healthy tasks, reports a steady state once, and ends a deleted service when its last task has stopped.
        /// </summary>
        public void Conclude()
        {
            var primary = Primary;
            var desired = Service.Status != ServiceStatus.Active ? 0 : Service.IsDaemon ? EligibleCount : Service.DesiredCount;
            var live = input.Tasks.Where(t => t.IsLive).ToList();

            _deployments = _deployments
                .Where(d => d.Status == DeploymentStatus.Primary || live.Any(t => t.DeploymentId == d.Id))
                .Select(d => d.Status == DeploymentStatus.Primary
                    ? d with { DesiredCount = desired }
                    : d with { DesiredCount = Remaining.Count(t => t.DeploymentId == d.Id) })
                .ToList();

            var changing = _launches.Count > 0 || _stops.Count > 0;
            var healthyPrimary = Remaining.Count(t => t.DeploymentId == primary.Id && t.Health == TaskHealth.Healthy);
            var settled = !changing && _deployments.Count == 1 && live.All(t => t.IsActive && t.DeploymentId == primary.Id) &&
                          healthyPrimary == desired && live.Count == desired;

            if (settled && primary.RolloutState == RolloutStates.InProgress)
            {
                UpdateDeployment(primary.Id, d => d with
                {
                    RolloutState = RolloutStates.Completed,
                    RolloutStateReason = ServiceMessages.CompletedReason(d.Id),
                    UpdatedAt = Now,
                });
                Service = Service with { LastCompletedTaskDefinitionArn = primary.TaskDefinition };
                Say(ServiceMessages.DeploymentCompleted(Service.Name, primary.Id));
            }

            if (settled && !Service.SteadyStateReported && Service.Status == ServiceStatus.Active)
            {
                Say(ServiceMessages.SteadyState(Service.Name));
                Service = Service with { SteadyStateReported = true };
            }
            else if (!settled && Service.SteadyStateReported)
            {
                Service = Service with { SteadyStateReported = false };
            }

            if (Service.Status == ServiceStatus.Draining && live.Count == 0)
            {
                Service = Service with { Status = ServiceStatus.Inactive };
            }
        }
    }
}
