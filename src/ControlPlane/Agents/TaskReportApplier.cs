using Google.Protobuf.WellKnownTypes;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// How an agent's report of a task changes the stored task. Pure. Status only moves forward (a late or repeated
/// report cannot undo a newer one), and a STOPPED task is final. Health follows the latest report while the task
/// has not stopped (it can go HEALTHY → UNHEALTHY → HEALTHY). An awsvpc task's interface is ATTACHED when the agent
/// reports it and DELETED when the task stops.
/// </summary>
public static class TaskReportApplier
{
    /// <summary>The task after the report, or the same instance when the report changes nothing.</summary>
    public static TaskRecord Apply(TaskRecord record, TaskState report, DateTimeOffset now)
    {
        var task = record.Task;
        var reported = Name(report.LastStatus);
        if (task.LastStatus == TaskStatus.Stopped || reported is null || TaskStatus.Rank(reported) < TaskStatus.Rank(task.LastStatus))
        {
            return record;
        }

        var updated = task with
        {
            LastStatus = reported,
            Containers = task.Containers.Select(c => Merge(c, report.Containers.FirstOrDefault(r => r.Name == c.Name))).ToList(),
            PullStartedAt = task.PullStartedAt ?? Time(report.PullStartedAt),
            PullStoppedAt = task.PullStoppedAt ?? Time(report.PullStoppedAt),
            StartedAt = task.StartedAt ?? (reported == TaskStatus.Running ? Time(report.StartedAt) ?? now : null),
            ExecutionStoppedAt = task.ExecutionStoppedAt ?? Time(report.ExecutionStoppedAt),
            // Agents that do not report health send nothing; the task keeps what it has.
            HealthStatus = NullIfEmpty(report.HealthStatus) ?? task.HealthStatus,
        };

        foreach (var reportedInterface in report.NetworkInterfaces)
        {
            updated = TaskAttachments.Attached(updated, reportedInterface.AttachmentId, reportedInterface.Ipv4Address, reportedInterface.MacAddress);
        }

        if (reported != TaskStatus.Stopped && report.Stopping && task.DesiredStatus == TaskStatus.Running)
        {
            // The agent is taking the task down on its own (an essential container exited, it failed to start): it
            // is going away now, as ECS marks it, although its containers may take their stop timeout to end.
            updated = updated with
            {
                DesiredStatus = TaskStatus.Stopped,
                StoppingAt = task.StoppingAt ?? now,
                StopCode = NullIfEmpty(report.StopCode),
                StoppedReason = NullIfEmpty(report.StoppedReason),
            };
        }

        if (reported == TaskStatus.Stopped)
        {
            var stoppedByUser = task.StopCode is not null;
            updated = TaskAttachments.Deleted(updated) with
            {
                DesiredStatus = TaskStatus.Stopped,
                StoppingAt = task.StoppingAt ?? now,
                StoppedAt = now,
                StopCode = stoppedByUser ? task.StopCode : NullIfEmpty(report.StopCode),
                StoppedReason = stoppedByUser ? task.StoppedReason : NullIfEmpty(report.StoppedReason),
            };
        }

        // Records holding lists compare by reference, so compare what would be stored.
        return EcsJson.Serialize(updated) == EcsJson.Serialize(task)
            ? record
            : Events(record, task, updated, now) with { Task = updated with { Version = task.Version + 1 } };
    }

    /// <summary>What the report changed that the task's ECS fields keep no history of: health, containers exiting.</summary>
    private static TaskRecord Events(TaskRecord record, EcsTask before, EcsTask after, DateTimeOffset now)
    {
        foreach (var container in after.Containers ?? [])
        {
            var was = before.Containers?.FirstOrDefault(c => c.Name == container.Name);
            if (was is null)
            {
                continue;
            }

            if (container.HealthStatus != was.HealthStatus && container.HealthStatus is "HEALTHY" or "UNHEALTHY")
            {
                record = record.WithEvent(now, $"container {container.Name} is {container.HealthStatus}");
            }

            if (container.LastStatus == TaskStatus.Stopped && was.LastStatus != TaskStatus.Stopped)
            {
                var how = container.ExitCode is { } code ? $"exited with code {code}" : "stopped";
                record = record.WithEvent(now, string.IsNullOrEmpty(container.Reason) ? $"container {container.Name} {how}" : $"container {container.Name} {how}: {container.Reason}");
            }
        }

        if (after.HealthStatus != before.HealthStatus && after.HealthStatus is "HEALTHY" or "UNHEALTHY")
        {
            record = record.WithEvent(now, $"task is {after.HealthStatus}");
        }

        return record;
    }

    private static Container Merge(Container container, ContainerState? report)
    {
        var reported = report is null ? null : Name(report.LastStatus);
        if (report is null || reported is null || container.LastStatus == TaskStatus.Stopped || TaskStatus.Rank(reported) < TaskStatus.Rank(container.LastStatus))
        {
            return container;
        }

        return container with
        {
            LastStatus = reported,
            RuntimeId = NullIfEmpty(report.RuntimeId) ?? container.RuntimeId,
            ImageDigest = NullIfEmpty(report.ImageDigest) ?? container.ImageDigest,
            ExitCode = report.HasExitCode ? report.ExitCode : container.ExitCode,
            Reason = NullIfEmpty(report.Reason) ?? container.Reason,
            HealthStatus = NullIfEmpty(report.HealthStatus) ?? container.HealthStatus,
            // A stopped container has no ports in Docker any more; keep the last bindings it had.
            NetworkBindings = report.NetworkBindings.Count > 0
                ? report.NetworkBindings.Select(b => new Ecs.Model.NetworkBinding
                {
                    BindIP = b.BindIp,
                    ContainerPort = b.ContainerPort,
                    HostPort = b.HostPort,
                    Protocol = b.Protocol,
                }).ToList()
                : container.NetworkBindings,
        };
    }

    public static string? Name(Status status) => status switch
    {
        Status.Pending => TaskStatus.Pending,
        Status.Running => TaskStatus.Running,
        Status.Stopped => TaskStatus.Stopped,
        _ => null,
    };

    private static DateTimeOffset? Time(Timestamp? timestamp) => timestamp?.ToDateTimeOffset();

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
