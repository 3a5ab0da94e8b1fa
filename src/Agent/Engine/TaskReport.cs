using Orchestrator.Agent.Awsvpc;
using Orchestrator.Agent.State;
using HealthStatuses = Orchestrator.Ecs.Model.HealthStatuses;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// What the control plane is told about a task: the <see cref="TaskStatusReport"/> projection of a <see cref="StoredTask"/>.
/// An awsvpc task's pause container is the agent's own business: it is not reported as a container, but the
/// address it holds is, as the task's network interface.
/// </summary>
public static class TaskReport
{
    public static TaskStatusReport Of(StoredTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var stopped = task.KnownStatus == LifecycleStatus.Stopped;
        // Going down on the agent's own decision (an essential container exited, the task failed to start): the control
        // plane hears it at once, with why, so that a service replaces the task without waiting for containers that
        // take their time to stop. A stop the control plane ordered it knows already.
        var stopping = !stopped && task.DesiredStatus == LifecycleStatus.Stopped
            && task.StopCode is Ecs.Model.TaskStopCode.EssentialContainerExited or Ecs.Model.TaskStopCode.TaskFailedToStart;
        return new TaskStatusReport
        {
            TaskArn = task.TaskArn,
            LastStatus = task.KnownStatus.ToReported(),
            Stopping = stopping,
            StopCode = stopped || stopping ? task.StopCode ?? "" : "",
            StoppedReason = stopped || stopping ? task.StoppedReason ?? "" : "",
            PullStartedAt = task.PullStartedAt,
            PullStoppedAt = task.PullStoppedAt,
            StartedAt = task.StartedAt,
            ExecutionStoppedAt = task.ExecutionStoppedAt,
            HealthStatus = TaskHealth(task),
            NetworkInterfaces = task.Network is { } network && task.Containers.Find(c => AwsvpcTask.IsPause(c.Name)) is { Ipv4Address: { } address } pause
                ? [new NetworkInterfaceReport(network.AttachmentId, address, pause.MacAddress ?? "")]
                : [],
            Containers = [.. Reported(task).Select(container => new ContainerStatusReport
            {
                Name = container.Name,
                RuntimeId = container.RuntimeId ?? "",
                LastStatus = container.KnownStatus.ToReported(),
                Reason = container.Reason ?? "",
                ImageDigest = container.ImageDigest ?? "",
                HealthStatus = container.Health ?? HealthStatuses.Unknown,
                ExitCode = container.KnownStatus == LifecycleStatus.Stopped ? container.ExitCode : null,
                NetworkBindings = container.KnownStatus == LifecycleStatus.Running ? container.NetworkBindings : [],
            })],
        };
    }

    /// <summary>
    /// ECS's task health: UNHEALTHY if an essential container with a health check is unhealthy, HEALTHY if there are
    /// such containers and all are healthy, else UNKNOWN. Containers without a health check, and non-essential ones,
    /// do not count.
    /// </summary>
    public static string TaskHealth(StoredTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var checkedEssentials = task.Containers.Where(c => c.Essential && c.Health is not null).ToList();
        if (checkedEssentials.Exists(c => c.Health == HealthStatuses.Unhealthy))
        {
            return HealthStatuses.Unhealthy;
        }

        return checkedEssentials.Count > 0 && checkedEssentials.TrueForAll(c => c.Health == HealthStatuses.Healthy)
            ? HealthStatuses.Healthy
            : HealthStatuses.Unknown;
    }

    /// <summary>
    /// Whether going from <paramref name="before"/> (null: the task was just received, PENDING) to
    /// <paramref name="after"/> is a state change the control plane must hear about: a status, exit code, reason or
    /// binding or health changed. Timestamps, Docker IDs and digests alone are not; they travel with the next change.
    /// </summary>
    public static bool IsReportableChange(StoredTask? before, StoredTask after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var next = Significant(Of(after));
        var previous = before is not null ? Significant(Of(before)) : Received(after);
        return !previous.Equals(next);
    }

    private static TaskStatusReport Significant(TaskStatusReport report) => report with
    {
        PullStartedAt = null,
        PullStoppedAt = null,
        StartedAt = null,
        ExecutionStoppedAt = null,
        Containers = [.. report.Containers.Select(c => c with { RuntimeId = "", ImageDigest = "" })],
    };

    private static TaskStatusReport Received(StoredTask task) => new()
    {
        TaskArn = task.TaskArn,
        LastStatus = ReportedStatus.Pending,
        HealthStatus = HealthStatuses.Unknown,
        Containers = [.. Reported(task).Select(c => new ContainerStatusReport
        {
            Name = c.Name,
            LastStatus = ReportedStatus.Pending,
            HealthStatus = HealthStatuses.Unknown,
        })],
    };

    /// <summary>The task's containers as the control plane knows them: without the pause container.</summary>
    private static IEnumerable<ContainerRecord> Reported(StoredTask task) => task.Containers.Where(c => !AwsvpcTask.IsPause(c.Name));
}
