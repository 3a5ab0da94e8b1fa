using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

public static partial class ServicePlanner
{
    private sealed partial class Pass
    {
        /// <summary>
        /// REPLICA: keep <c>desiredCount</c> tasks of the primary deployment. Replacements (of unhealthy tasks, tasks on
        /// draining instances, tasks of older deployments) are started first while the total stays within
        /// maximumPercent; old tasks are stopped only while the healthy count stays at or above minimumHealthyPercent.
        /// </summary>
        public void PlanReplica()
        {
            var desired = Service.Status == ServiceStatus.Active ? Service.DesiredCount : 0;
            var (minHealthy, maxTotal) = Bounds(desired, Service.MinimumHealthyPercent, Service.MaximumPercent);
            var primary = Primary;

            foreach (var task in Remaining.ToList())
            {
                if (Service.Status != ServiceStatus.Active)
                {
                    Stop(task, ServiceMessages.ServiceDeleted);
                }
                else if (task.Health == TaskHealth.Unhealthy && IsPastGrace(task))
                {
                    Stop(task, ServiceMessages.HealthCheckFailed);
                }
                else if (task.Health == TaskHealth.Starting && IsDraining(task))
                {
                    Stop(task, ServiceMessages.InstanceDraining);
                }
            }

            var keepers = Remaining.Where(t => t.DeploymentId == primary.Id && !IsDraining(t)).ToList();
            var others = Remaining.Where(t => t.DeploymentId != primary.Id || IsDraining(t)).ToList();

            // Scale in: the least useful tasks first, then from the instance with the most tasks of the service. Tasks
            // under scale-in protection stay, even above the desired count, until their protection ends.
            if (keepers.Count > desired)
            {
                var perInstance = Remaining.GroupBy(t => t.InstanceArn ?? "").ToDictionary(g => g.Key, g => g.Count());
                foreach (var task in keepers
                    .Where(t => !t.Protected)
                    .OrderBy(t => t.Health == TaskHealth.Healthy ? 1 : 0)
                    .ThenByDescending(t => perInstance.GetValueOrDefault(t.InstanceArn ?? ""))
                    .ThenByDescending(t => t.CreatedAt)
                    .Take(Math.Max(0, keepers.Count - desired)).ToList())
                {
                    Stop(task, ServiceMessages.ScalingActivity(primary.Id));
                    keepers.Remove(task);
                }
            }

            // Scale out: as many as missing, as far as maximumPercent allows. A task going down (desired STOPPED) counts
            // as gone: its replacement starts at once, while placement keeps the old task's resources until it is STOPPED.
            var total = input.Tasks.Count(t => t.IsActive);
            var wanted = desired - keepers.Count;
            var room = maxTotal - total;
            var toLaunch = MayLaunch ? Math.Max(0, Math.Min(wanted, room)) : 0;
            if (toLaunch > 0)
            {
                _launches.Add(new ServiceLaunch(primary.Id, primary.TaskDefinition, toLaunch));
            }

            // Replace: tasks that are not healthy go at once; healthy ones only while enough healthy tasks remain. A
            // protected task of an older deployment stays until its protection ends.
            var healthy = Remaining.Count(t => t.Health == TaskHealth.Healthy);
            var stoppedOthers = 0;
            foreach (var task in others.Where(t => !t.Protected).OrderBy(t => t.Health == TaskHealth.Healthy ? 1 : 0).ThenBy(t => t.CreatedAt))
            {
                if (task.Health != TaskHealth.Healthy)
                {
                    Stop(task, ReplacementReason(task, primary.Id));
                    stoppedOthers++;
                }
                else if (healthy - 1 >= minHealthy)
                {
                    Stop(task, ReplacementReason(task, primary.Id));
                    healthy--;
                    stoppedOthers++;
                }
            }

            if (wanted > 0 && toLaunch == 0 && room <= 0 && stoppedOthers == 0 && others.Any(t => !t.Protected) && MayLaunch &&
                input.Tasks.All(t => !t.IsLive || t.IsActive))
            {
                Say(ServiceMessages.ConfigurationDeadlock(Service.Name));
            }
        }

        private string ReplacementReason(ServiceTask task, string primaryId) =>
            IsDraining(task) ? ServiceMessages.InstanceDraining : ServiceMessages.ScalingActivity(primaryId);
    }
}
