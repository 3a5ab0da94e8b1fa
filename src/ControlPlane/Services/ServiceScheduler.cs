using System.Globalization;
using System.Security.Cryptography;
using Orchestrator.ControlPlane.LoadBalancing;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.ControlPlane.Telemetry;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

/// <summary>
/// Applies the service planner's decisions. A pass plans over the current snapshot without holding the writer —
/// the service plan, and the placement of the tasks it launches — then commits in one write: the stops, the
/// launches through <see cref="TaskLauncher"/> (which re-checks the instances it uses) and the service record. If
/// the service record changed meanwhile (UpdateService, DeleteService), the plan is stale: the pass plans again.
/// </summary>
public sealed partial class ServiceScheduler(
    StateStore store, IAgentConnections availability, TaskLifecycle lifecycle, TaskLauncher launcher, ITaskDispatch dispatch, TimeProvider clock,
    ILogger<ServiceScheduler> logger)
{
    private const int Attempts = 5;

    public async Task ReconcileAsync(string serviceArn, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var state = store.Current;
            var service = state.Service(serviceArn);
            if (service is null || service.Status == ServiceStatus.Inactive || state.Cluster(service.ClusterName) is not { } cluster)
            {
                return;
            }

            var now = clock.GetUtcNow();
            var plan = ServicePlanner.Plan(Inputs(state, service, now));
            if (ReferenceEquals(plan.Service, service) && plan.Accounted.Count == 0 && plan.NewlyHealthy.Count == 0 && plan.Events.Count == 0 && !plan.StartsOrStops)
            {
                return; // nothing to do: no write
            }

            // A pass that starts or stops tasks is a span: the root of its launches' traces (placement, commit, dispatch, the agent).
            using var span = plan.StartsOrStops ? ControlPlaneMetrics.Source.StartActivity("ServiceLaunch") : null;
            span?.SetTag("orch.service", service.Name);
            var launches = plan.Launches
                .SelectMany(l => Requests(state, cluster, plan.Service, l))
                .Select(r => launcher.Plan(state, r))
                .ToList();
            var outcome = await store.WriteAsync<(List<(TaskRecord, TaskDefinition)> Started, List<TaskRecord> Stopped)?>(
                tx => ReferenceEquals(tx.State.Service(serviceArn), service) ? Commit(tx, service, plan, launches, now) : null,
                cancellationToken).ConfigureAwait(false);
            if (outcome is not var (started, stopped))
            {
                continue; // the service changed while this pass planned: plan again
            }

            foreach (var task in stopped.Where(t => t.DrainingUntil is null))
            {
                dispatch.Stop(task);
            }

            foreach (var (task, definition) in started)
            {
                dispatch.Run(task, definition);
            }

            return;
        }
    }

    /// <summary>A new deployment ID in ECS's form, <c>ecs-svc/</c> and 19 digits.</summary>
    public static string NewDeploymentId() =>
        "ecs-svc/" + (RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture) +
                      RandomNumberGenerator.GetInt32(0, 999_999_999).ToString("D9", CultureInfo.InvariantCulture) +
                      RandomNumberGenerator.GetInt32(0, 10).ToString(CultureInfo.InvariantCulture));

    private (List<(TaskRecord, TaskDefinition)> Started, List<TaskRecord> Stopped) Commit(
        StateTransaction tx, ServiceRecord service, ServicePlan plan, List<LaunchPlan> launches, DateTimeOffset now)
    {
        var started = new List<(TaskRecord, TaskDefinition)>();
        var stopped = new List<TaskRecord>();
        var messages = new List<string>(plan.Events);
        foreach (var stop in plan.Stops)
        {
            if (tx.State.Task(stop.TaskArn) is { } task && lifecycle.Stopping(task, TaskStopCode.ServiceSchedulerInitiated, stop.Reason) is { } stopping)
            {
                // A target of the load balancer drains first: LoadBalancing/DrainMonitor sends its stop after the delay.
                stopping = LoadBalancerTargets.Drain(tx.State, task, stopping, now);
                tx.Put(stopping);
                stopped.Add(stopping);
            }
        }

        if (stopped.Count > 0)
        {
            messages.Add(ServiceMessages.Stopped(service.Name, stopped.Select(t => t.Id).ToList()));
        }

        foreach (var arn in plan.Accounted)
        {
            if (tx.State.Task(arn) is { } task)
            {
                tx.Put(task with { StopAccounted = true });
            }
        }

        foreach (var arn in plan.NewlyHealthy)
        {
            if (tx.State.Task(arn) is { } task)
            {
                tx.Put(task with { SeenHealthy = true });
            }
        }

        foreach (var launch in launches)
        {
            var outcome = launcher.Commit(tx, launch);
            started.AddRange(outcome.Created.Select(t => (t, launch.Request.Definition)));
            if (!outcome.Placement.IsComplete)
            {
                messages.Add(UnableToPlace(service.Name, outcome.Placement));
            }
        }

        if (started.Count > 0)
        {
            messages.Add(ServiceMessages.Started(service.Name, started.Select(t => t.Item1.Id).ToList()));
        }

        if (!ReferenceEquals(plan.Service, service) || messages.Count > 0)
        {
            tx.Put(plan.Service with { Events = ServiceEvents.Append(plan.Service.Events, messages, now), Version = service.Version + 1 });
            foreach (var message in messages)
            {
                Log.Event(logger, service.Arn, message);
            }
        }

        return (started, stopped);
    }

    private ServiceInputs Inputs(StateSnapshot state, ServiceRecord service, DateTimeOffset now)
    {
        var tasks = state.TasksOf(service)
            .Where(t => t.Task.LastStatus != TaskStatus.Stopped || !t.StopAccounted)
            .Select(t => new ServiceTask(
                t.Arn,
                t.Task.StartedBy ?? "",
                t.Task.ContainerInstanceArn,
                t.Task.LastStatus,
                t.Task.DesiredStatus,
                HealthOf(t, state.TaskDefinitionByArn(t.Task.TaskDefinitionArn)),
                t.Task.CreatedAt ?? now,
                t.Task.StartedAt,
                t.Task.StopCode,
                t.Task.StoppedReason,
                t.StopAccounted,
                t.SeenHealthy,
                t.ProtectedUntil > now))
            .ToList();
        var definition = state.TaskDefinitionByArn(service.TaskDefinitionArn);
        var instances = ClusterSnapshot.From(state, service.ClusterName, availability.IsAvailable).Instances
            .Select(i => new ServiceInstance(i.Arn, i.Status, i.AgentConnected, IsEligible(service, definition, i)))
            .ToList();
        return new ServiceInputs(service, tasks, instances, now, NewDeploymentId());
    }

    /// <summary>
    /// A RUNNING task is healthy once its essential containers' health checks pass; without such a check, as soon as
    /// it runs. Until a check has decided, its health is unknown (it is not yet counted as healthy).
    /// </summary>
    public static TaskHealth HealthOf(TaskRecord task, TaskDefinition? definition) => task.Task.LastStatus switch
    {
        TaskStatus.Stopped => TaskHealth.Stopped,
        TaskStatus.Running => task.Task.HealthStatus switch
        {
            "HEALTHY" => TaskHealth.Healthy,
            "UNHEALTHY" => TaskHealth.Unhealthy,
            _ when definition?.ContainerDefinitions.Any(c => c.IsEssential && c.HealthCheck is not null) == true => TaskHealth.Unknown,
            _ => TaskHealth.Healthy,
        },
        _ => TaskHealth.Starting,
    };

}
