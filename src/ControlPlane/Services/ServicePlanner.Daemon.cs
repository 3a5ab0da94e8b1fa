using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

public static partial class ServicePlanner
{
    private sealed partial class Pass
    {
        /// <summary>
        /// DAEMON: one task of the primary deployment on every eligible instance (ACTIVE, connected, meeting the
        /// constraints), none elsewhere. A new deployment replaces an instance's task by stopping the old one first
        /// (maximumPercent is 100), as many at a time as minimumHealthyPercent allows.
        /// </summary>
        public void PlanDaemon()
        {
            var primary = Primary;
            var eligible = input.Instances.Where(i => i.Eligible).Select(i => i.Arn).ToHashSet(StringComparer.Ordinal);
            var (minHealthy, _) = Bounds(eligible.Count, Service.MinimumHealthyPercent, 100);

            foreach (var task in Remaining.ToList())
            {
                var instance = input.Instances.FirstOrDefault(i => i.Arn == task.InstanceArn);
                if (Service.Status != ServiceStatus.Active)
                {
                    Stop(task, ServiceMessages.ServiceDeleted);
                }
                else if (task.Health == TaskHealth.Unhealthy && IsPastGrace(task))
                {
                    Stop(task, ServiceMessages.HealthCheckFailed);
                }
                else if (instance is null || instance.Status != ContainerInstanceStatus.Active)
                {
                    Stop(task, ServiceMessages.InstanceDraining);
                }
                else if (!instance.Eligible && instance.AgentConnected)
                {
                    Stop(task, ServiceMessages.NotEligible);
                }
            }

            if (Service.Status != ServiceStatus.Active)
            {
                return;
            }

            var healthy = Remaining.Count(t => t.Health == TaskHealth.Healthy);
            foreach (var arn in eligible.Order(StringComparer.Ordinal))
            {
                var here = Remaining.Where(t => t.InstanceArn == arn).OrderBy(t => t.CreatedAt).ToList();
                var current = here.Where(t => t.DeploymentId == primary.Id).ToList();
                foreach (var extra in current.Skip(1))
                {
                    Stop(extra, ServiceMessages.ScalingActivity(primary.Id));
                }

                foreach (var old in here.Where(t => t.DeploymentId != primary.Id))
                {
                    if (old.Health != TaskHealth.Healthy)
                    {
                        Stop(old, ServiceMessages.ScalingActivity(primary.Id));
                    }
                    else if (healthy - 1 >= minHealthy)
                    {
                        Stop(old, ServiceMessages.ScalingActivity(primary.Id));
                        healthy--;
                    }
                }

                // One task per instance: a new one starts only after the old one there has stopped.
                if (current.Count == 0 && !input.Tasks.Any(t => t.IsLive && t.InstanceArn == arn) && MayLaunch)
                {
                    _launches.Add(new ServiceLaunch(primary.Id, primary.TaskDefinition, 1, arn));
                }
            }
        }
    }
}
