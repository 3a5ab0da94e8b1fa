using System.Globalization;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tasks;

/// <summary>
/// How tasks begin and end, the same whoever asks: RunTask, StartTask and StopTask, or the service scheduler.
/// </summary>
public sealed class TaskLifecycle(Arns arns, TimeProvider clock)
{
    /// <summary>
    /// A PENDING task on <paramref name="instanceArn"/>, holding <paramref name="needs"/> there until it stops, with the
    /// GPUs and address of <paramref name="assignment"/>.
    /// </summary>
    public TaskRecord Create(
        ClusterRecord cluster, TaskDefinition definition, TaskRequirements needs, string instanceArn, TaskSettings launch, TaskAssignment? assignment = null)
    {
        assignment ??= TaskAssignment.None;
        var id = Arns.NewId();
        var taskArn = arns.Task(cluster.Name, id);
        var containers = definition.ContainerDefinitions.Select(c => new Container
        {
            ContainerArn = arns.Container(cluster.Name, id, Guid.NewGuid().ToString()),
            TaskArn = taskArn,
            Name = c.Name!,
            Image = c.Image,
            LastStatus = TaskStatus.Pending,
            HealthStatus = "UNKNOWN",
            Cpu = c.Cpu.ToString(CultureInfo.InvariantCulture),
            Memory = c.Memory?.ToString(CultureInfo.InvariantCulture),
            MemoryReservation = c.MemoryReservation?.ToString(CultureInfo.InvariantCulture),
            GpuIds = assignment.Gpus.TryGetValue(c.Name!, out var gpus) ? gpus : null,
        }).ToList();
        var overrides = definition.ContainerDefinitions
            .Select(c => launch.Overrides?.ContainerOverrides?.FirstOrDefault(o => o.Name == c.Name) ?? new ContainerOverride { Name = c.Name })
            .ToList();
        return new TaskRecord
        {
            ClusterName = cluster.Name,
            Reserved = needs,
            Address = assignment.Address,
            ClientToken = launch.ClientToken,
            Task = new EcsTask
            {
                TaskArn = taskArn,
                ClusterArn = cluster.Arn,
                TaskDefinitionArn = definition.TaskDefinitionArn!,
                ContainerInstanceArn = instanceArn,
                Attachments = assignment.Address is { } address ? [TaskAttachments.Precreated(address)] : null,
                Containers = containers,
                Overrides = new TaskOverride { ContainerOverrides = overrides, TaskRoleArn = launch.Overrides?.TaskRoleArn is { Length: > 0 } role ? role : null },
                LastStatus = TaskStatus.Pending,
                DesiredStatus = TaskStatus.Running,
                Cpu = needs.Cpu.ToString(CultureInfo.InvariantCulture),
                Memory = needs.MemoryMiB.ToString(CultureInfo.InvariantCulture),
                StartedBy = launch.StartedBy,
                Group = launch.Group ?? $"family:{definition.Family}",
                LaunchType = launch.CapacityProviderName is null ? launch.LaunchType ?? "EC2" : null,
                CapacityProviderName = launch.CapacityProviderName,
                HealthStatus = "UNKNOWN",
                EnableExecuteCommand = launch.EnableExecuteCommand,
                Connectivity = "CONNECTED",
                ConnectivityAt = clock.GetUtcNow(),
                Version = 1,
                CreatedAt = clock.GetUtcNow(),
            },
        };
    }

    /// <summary>
    /// The task with desired status STOPPED (and the reason), or already STOPPED when no agent ever got it. Null when it
    /// was already being stopped.
    /// </summary>
    public TaskRecord? Stopping(TaskRecord task, string stopCode, string reason)
    {
        if (task.Task.DesiredStatus == TaskStatus.Stopped)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var stopping = task.Task with
        {
            DesiredStatus = TaskStatus.Stopped,
            StoppingAt = now,
            StopCode = stopCode,
            StoppedReason = reason,
            Version = task.Task.Version + 1,
        };
        if (task.Task.ContainerInstanceArn is null)
        {
            stopping = TaskAttachments.Deleted(stopping with { LastStatus = TaskStatus.Stopped, StoppedAt = now });
        }

        return task with { Task = stopping };
    }
}

/// <summary>How a task is started: by whom, in which group, with which overrides.</summary>
public sealed record TaskSettings(string? Group, string? StartedBy, string? LaunchType = null, TaskOverride? Overrides = null, string? ClientToken = null)
{
    /// <summary>Whether commands may be run in the task's containers (ECS Exec, `orch task exec`).</summary>
    public bool EnableExecuteCommand { get; init; }

    /// <summary>The capacity provider the task is placed through (no launch type then); null for a launch type.</summary>
    public string? CapacityProviderName { get; init; }
}
