using Orchestrator.ControlPlane.Services;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Services;

/// <summary>
/// A small simulated cluster for the service planner: plans are applied, time moves in ticks, started tasks become
/// healthy (or unhealthy, for task definitions marked bad), stopped tasks go away. No control plane, no Docker.
/// </summary>
public sealed class ServiceWorld
{
    private int _nextTask;
    private int _nextDeployment = 1;

    public ServiceWorld(int desired = 4, int instances = 2, int minHealthy = 100, int maxPercent = 200, bool daemon = false,
        bool circuitBreaker = false, bool rollback = false)
    {
        Instances = Enumerable.Range(0, instances).Select(i => new ServiceInstance($"i{i}", ContainerInstanceStatus.Active, true, true)).ToList();
        var deployment = ServiceDeployment("td:1");
        Service = new ServiceRecord
        {
            Name = "web",
            Arn = "arn:aws:ecs:us-east-1:123456789012:service/default/web",
            ClusterName = "default",
            TaskDefinitionArn = "td:1",
            DesiredCount = daemon ? 0 : desired,
            SchedulingStrategy = daemon ? SchedulingStrategies.Daemon : SchedulingStrategies.Replica,
            MinimumHealthyPercent = minHealthy,
            MaximumPercent = maxPercent,
            CircuitBreakerEnabled = circuitBreaker,
            CircuitBreakerRollback = rollback,
            Deployments = [deployment],
        };
    }

    public DateTimeOffset Now { get; private set; } = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    public ServiceRecord Service { get; private set; }
    public List<ServiceTask> Tasks { get; } = [];
    public List<ServiceInstance> Instances { get; }
    public HashSet<string> BadTaskDefinitions { get; } = [];
    public List<string> Events { get; } = [];
    public ServicePlan? LastPlan { get; private set; }

    public IEnumerable<ServiceTask> Live => Tasks.Where(t => t.IsLive);
    public int Healthy => Tasks.Count(t => t.IsActive && t.Health == TaskHealth.Healthy);

    public Deployment ServiceDeployment(string taskDefinition) =>
        new()
        {
            Id = $"ecs-svc/{_nextDeployment++:D19}",
            Status = DeploymentStatus.Primary,
            TaskDefinition = taskDefinition,
            RolloutState = RolloutStates.InProgress,
        };

    /// <summary>One pass of the planner, applied.</summary>
    public ServicePlan Plan()
    {
        var plan = ServicePlanner.Plan(new ServiceInputs(Service, Tasks.Where(t => t.IsLive || !t.StopAccounted).ToList(), Instances, Now, $"ecs-svc/{_nextDeployment:D19}"));
        if (plan.Service.Deployments.Any(d => d.Id == $"ecs-svc/{_nextDeployment:D19}"))
        {
            _nextDeployment++;
        }

        Service = plan.Service;
        Events.AddRange(plan.Events);
        foreach (var stop in plan.Stops)
        {
            Replace(stop.TaskArn, t => t with { DesiredStatus = TaskStatus.Stopped, StopCode = TaskStopCode.ServiceSchedulerInitiated, StoppedReason = stop.Reason });
        }

        foreach (var arn in plan.Accounted)
        {
            Replace(arn, t => t with { StopAccounted = true });
        }

        foreach (var arn in plan.NewlyHealthy)
        {
            Replace(arn, t => t with { SeenHealthy = true });
        }

        foreach (var launch in plan.Launches)
        {
            for (var n = 0; n < launch.Count; n++)
            {
                var instance = launch.InstanceArn ?? Instances.Where(i => i.Status == ContainerInstanceStatus.Active)
                    .OrderBy(i => Live.Count(t => t.InstanceArn == i.Arn)).First().Arn;
                Tasks.Add(new ServiceTask($"t{_nextTask++}", launch.DeploymentId, instance, TaskStatus.Pending, TaskStatus.Running,
                    TaskHealth.Starting, Now, null, null, null, false, false));
            }
        }

        LastPlan = plan;
        return plan;
    }

    /// <summary>Time passes: stops complete, started tasks run and pass (or fail) their health checks.</summary>
    public void Tick(TimeSpan? by = null)
    {
        Now += by ?? TimeSpan.FromSeconds(10);
        foreach (var task in Tasks.ToList())
        {
            if (!task.IsLive)
            {
                continue;
            }

            if (task.DesiredStatus == TaskStatus.Stopped)
            {
                Replace(task.Arn, t => t with { LastStatus = TaskStatus.Stopped, Health = TaskHealth.Stopped });
            }
            else if (task.Health == TaskHealth.Starting)
            {
                var definition = Service.Deployments.FirstOrDefault(d => d.Id == task.DeploymentId)?.TaskDefinition;
                var bad = definition is not null && BadTaskDefinitions.Contains(definition);
                Replace(task.Arn, t => t with { LastStatus = TaskStatus.Running, StartedAt = Now, Health = bad ? TaskHealth.Unhealthy : TaskHealth.Healthy });
            }
        }
    }

    /// <summary>A container dies (docker kill): the task stops by itself.</summary>
    public void Kill(ServiceTask task) =>
        Replace(task.Arn, t => t with
        {
            LastStatus = TaskStatus.Stopped,
            DesiredStatus = TaskStatus.Stopped,
            Health = TaskHealth.Stopped,
            StopCode = TaskStopCode.EssentialContainerExited,
            StoppedReason = "Essential container in task exited",
        });

    /// <summary>An essential container dies but another one takes its stop timeout: the task is going down, not down.</summary>
    public void StartStopping(ServiceTask task) =>
        Replace(task.Arn, t => t with
        {
            DesiredStatus = TaskStatus.Stopped,
            StopCode = TaskStopCode.EssentialContainerExited,
            StoppedReason = "Essential container in task exited",
        });

    public void Update(Func<ServiceRecord, ServiceRecord> change) => Service = change(Service);

    /// <summary>Scale-in protection on (or off) for a task (UpdateTaskProtection).</summary>
    public void Protect(ServiceTask task, bool on = true) => Replace(task.Arn, t => t with { Protected = on });

    /// <summary>A new deployment, as UpdateService with a new task definition starts one.</summary>
    public void Deploy(string taskDefinition) => Service = Service with
    {
        TaskDefinitionArn = taskDefinition,
        SteadyStateReported = false,
        Deployments = [ServiceDeployment(taskDefinition), .. Service.Deployments.Select(d => d with { Status = DeploymentStatus.Active })],
    };

    public void SetInstance(string arn, Func<ServiceInstance, ServiceInstance> change)
    {
        var index = Instances.FindIndex(i => i.Arn == arn);
        if (index >= 0)
        {
            Instances[index] = change(Instances[index]);
        }
        else
        {
            Instances.Add(change(new ServiceInstance(arn, ContainerInstanceStatus.Active, true, true)));
        }
    }

    /// <summary>Plans and ticks until nothing starts or stops any more (or the budget runs out).</summary>
    public int RunToQuiet(int maxPasses = 100, Action? afterEachPass = null)
    {
        for (var pass = 1; pass <= maxPasses; pass++)
        {
            var plan = Plan();
            afterEachPass?.Invoke();
            if (!plan.StartsOrStops && Live.All(t => t.IsActive && t.Health != TaskHealth.Starting))
            {
                return pass;
            }

            Tick();
            afterEachPass?.Invoke();
        }

        return maxPasses;
    }

    private void Replace(string arn, Func<ServiceTask, ServiceTask> change)
    {
        var index = Tasks.FindIndex(t => t.Arn == arn);
        Tasks[index] = change(Tasks[index]);
    }
}
