using Google.Protobuf.WellKnownTypes;
using Orchestrator.Agent.Awsvpc;
using Orchestrator.Contracts.Agent;
using HealthStatuses = Orchestrator.Ecs.Model.HealthStatuses;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// What the control plane is told about a task: the <see cref="TaskState"/> projection of a <see cref="StoredTask"/>.
/// An awsvpc task's pause container is the agent's own business: it is not reported as a container, but the
/// address it holds is, as the task's network interface.
/// </summary>
public static class TaskReport
{
    public static TaskState ToTaskState(StoredTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var stopped = task.KnownStatus == LifecycleStatus.Stopped;
        var state = new TaskState
        {
            TaskArn = task.TaskArn,
            LastStatus = task.KnownStatus.ToReported(),
            StopCode = stopped ? task.StopCode ?? "" : "",
            StoppedReason = stopped ? task.StoppedReason ?? "" : "",
            PullStartedAt = ToTimestamp(task.PullStartedAt),
            PullStoppedAt = ToTimestamp(task.PullStoppedAt),
            StartedAt = ToTimestamp(task.StartedAt),
            ExecutionStoppedAt = ToTimestamp(task.ExecutionStoppedAt),
            HealthStatus = TaskHealth(task),
        };
        if (task.Network is { } network && task.Containers.Find(c => AwsvpcTask.IsPause(c.Name)) is { Ipv4Address: { } address } pause)
        {
            state.NetworkInterfaces.Add(new NetworkInterface
            {
                AttachmentId = network.AttachmentId,
                Ipv4Address = address,
                MacAddress = pause.MacAddress ?? "",
            });
        }

        foreach (var container in Reported(task))
        {
            var reported = new ContainerState
            {
                Name = container.Name,
                RuntimeId = container.RuntimeId ?? "",
                LastStatus = container.KnownStatus.ToReported(),
                Reason = container.Reason ?? "",
                ImageDigest = container.ImageDigest ?? "",
                HealthStatus = container.Health ?? HealthStatuses.Unknown,
            };
            if (container.KnownStatus == LifecycleStatus.Stopped && container.ExitCode is { } exitCode)
            {
                reported.ExitCode = exitCode;
            }

            if (container.KnownStatus == LifecycleStatus.Running)
            {
                reported.NetworkBindings.AddRange(container.NetworkBindings.Select(b => new NetworkBinding
                {
                    BindIp = b.BindIp,
                    ContainerPort = b.ContainerPort,
                    HostPort = b.HostPort,
                    Protocol = b.Protocol,
                }));
            }

            state.Containers.Add(reported);
        }

        return state;
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
        var next = Significant(ToTaskState(after));
        var previous = before is not null ? Significant(ToTaskState(before)) : Received(after);
        return !previous.Equals(next);
    }

    private static TaskState Significant(TaskState state)
    {
        var copy = state.Clone();
        copy.PullStartedAt = copy.PullStoppedAt = copy.StartedAt = copy.ExecutionStoppedAt = null;
        foreach (var container in copy.Containers)
        {
            container.RuntimeId = "";
            container.ImageDigest = "";
        }

        return copy;
    }

    private static TaskState Received(StoredTask task)
    {
        var state = new TaskState { TaskArn = task.TaskArn, LastStatus = Status.Pending, HealthStatus = HealthStatuses.Unknown };
        state.Containers.AddRange(Reported(task).Select(c => new ContainerState
        {
            Name = c.Name,
            LastStatus = Status.Pending,
            HealthStatus = HealthStatuses.Unknown,
        }));
        return state;
    }

    /// <summary>The task's containers as the control plane knows them: without the pause container.</summary>
    private static IEnumerable<ContainerRecord> Reported(StoredTask task) => task.Containers.Where(c => !AwsvpcTask.IsPause(c.Name));

    private static Timestamp? ToTimestamp(DateTimeOffset? value) => value is { } time ? Timestamp.FromDateTimeOffset(time) : null;
}
