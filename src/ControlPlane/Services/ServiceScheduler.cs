using System.Security.Cryptography;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.Application;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Services;

/// <summary>
/// Applies the service planner's decisions: one pass for one service runs as one write of the state store (so the
/// placements it makes re-check resources against the state of that moment), then tells the agents.
/// </summary>
public sealed partial class ServiceScheduler(
    StateStore store, AgentSessions sessions, TaskLifecycle lifecycle, TaskDispatcher dispatcher, TimeProvider clock, ILogger<ServiceScheduler> logger)
{
    public async Task ReconcileAsync(string serviceArn, CancellationToken cancellationToken)
    {
        var (started, stopped) = await store.WriteAsync(tx => Pass(tx, serviceArn), cancellationToken).ConfigureAwait(false);
        foreach (var task in stopped)
        {
            dispatcher.Stop(task);
        }

        foreach (var task in started)
        {
            dispatcher.Run(task);
        }
    }

    /// <summary>A new deployment ID in ECS's form, <c>ecs-svc/</c> and 19 digits.</summary>
    public static string NewDeploymentId() =>
        "ecs-svc/" + (RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture) +
                      RandomNumberGenerator.GetInt32(0, 999_999_999).ToString("D9", System.Globalization.CultureInfo.InvariantCulture) +
                      RandomNumberGenerator.GetInt32(0, 10).ToString(System.Globalization.CultureInfo.InvariantCulture));

    private (List<TaskRecord> Started, List<TaskRecord> Stopped) Pass(StateTransaction tx, string serviceArn)
    {
        var started = new List<TaskRecord>();
        var stopped = new List<TaskRecord>();
        var service = tx.State.Service(serviceArn);
        if (service is null || service.Status == ServiceStatus.Inactive || tx.State.Cluster(service.ClusterName) is not { } cluster)
        {
            return (started, stopped);
        }

        var now = clock.GetUtcNow();
        var plan = ServicePlanner.Plan(Inputs(tx.State, service, now));
        var messages = new List<string>(plan.Events);

        foreach (var stop in plan.Stops)
        {
            if (tx.State.Task(stop.TaskArn) is { } task && lifecycle.Stopping(task, TaskStopCode.ServiceSchedulerInitiated, stop.Reason) is { } stopping)
            {
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
            tx.Put(tx.State.Task(arn)! with { StopAccounted = true });
        }

        foreach (var arn in plan.NewlyHealthy)
        {
            tx.Put(tx.State.Task(arn)! with { SeenHealthy = true });
        }

        foreach (var launch in plan.Launches)
        {
            started.AddRange(Launch(tx, cluster, plan.Service, launch, messages));
        }

        if (started.Count > 0)
        {
            messages.Add(ServiceMessages.Started(service.Name, started.Select(t => t.Id).ToList()));
        }

        var updated = plan.Service with { Events = ServiceEvents.Append(plan.Service.Events, messages, now) };
        if (EcsJson.Serialize(updated) != EcsJson.Serialize(service))
        {
            tx.Put(updated with { Version = service.Version + 1 });
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
                t.SeenHealthy))
            .ToList();
        var definition = state.TaskDefinitionByArn(service.TaskDefinitionArn);
        var instances = ClusterSnapshot.From(state, service.ClusterName, sessions.IsAvailable).Instances
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

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Service {ServiceArn}: {Message}")]
        public static partial void Event(ILogger logger, string serviceArn, string message);
    }
}
