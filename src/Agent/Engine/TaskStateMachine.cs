using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// The per-task state machine, in the manner of amazon-ecs-agent's managed task: pure functions over
/// <see cref="StoredTask"/>, no I/O and no clock (the time is passed in). <see cref="Apply"/> folds an event in;
/// <see cref="Advance"/> moves each container one step towards the desired status and says which Docker operations to
/// run. Statuses only move forward, so a late or repeated event changes nothing. Containers are created and started in
/// dependency order and stopped in reverse (<see cref="DependencyGraph"/>).
/// </summary>
public static class TaskStateMachine
{
    public const string EssentialContainerExitedReason = "Essential container in task exited";
    public const string StoppedByUserReason = "Task stopped by user";
    public const string OutOfMemoryReason = "OutOfMemoryError: Container killed due to memory usage";

    /// <summary>The task after <paramref name="taskEvent"/>; the same instance when the event changes nothing.</summary>
    public static StoredTask Apply(StoredTask task, TaskEvent taskEvent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(taskEvent);
        var next = taskEvent switch
        {
            ImageReady e => ImageIsReady(task, e, now),
            ContainerCreated e => Update(task, e.Container, LifecycleStatus.Created, c => c with { RuntimeId = e.RuntimeId }),
            ContainerRunning e => ContainerIsRunning(task, e, now),
            ContainerStopped e => ContainerHasStopped(task, e.Container, c => c with
            {
                RuntimeId = c.RuntimeId ?? e.RuntimeId,
                ExitCode = e.ExitCode,
                Reason = e.Reason ?? c.Reason,
            }, EssentialContainerExitedReason, TaskStopCode.EssentialContainerExited),
            ContainerFailed e => ContainerHasStopped(task, e.Container, c => c with { Reason = e.Reason }, e.Reason,
                task.KnownStatus < LifecycleStatus.Running ? TaskStopCode.TaskFailedToStart : TaskStopCode.EssentialContainerExited,
                e.StopsTask),
            HostPortTaken e => HostPortWasTaken(task, e),
            StopRequested e => task.DesiredStatus == LifecycleStatus.Running
                ? task with { DesiredStatus = LifecycleStatus.Stopped, StopCode = e.StopCode, StoppedReason = e.Reason }
                : task,
            _ => throw new ArgumentOutOfRangeException(nameof(taskEvent), taskEvent, "Unknown task event."),
        };
        return UpdateKnownStatus(next, now);
    }

    /// <summary>
    /// Moves every container that is not <paramref name="busy"/> (an operation already running, or waiting to retry)
    /// one step towards the desired status. Steps that need Docker come back as actions; containers that never started
    /// are marked STOPPED directly when the task is to stop. Creating and starting wait for the container's
    /// dependencies in <paramref name="graph"/>; a dependency that can no longer be met stops the task. Stopping waits
    /// until the containers that depend on a container have stopped.
    /// </summary>
    public static (StoredTask Task, IReadOnlyList<ContainerAction> Actions) Advance(
        StoredTask task, IReadOnlySet<string> busy, DateTimeOffset now, DependencyGraph? graph = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(busy);
        graph ??= DependencyGraph.Empty;
        var actions = new List<ContainerAction>();
        var next = task;
        foreach (var container in task.Containers)
        {
            if (busy.Contains(container.Name) || container.KnownStatus == LifecycleStatus.Stopped)
            {
                continue;
            }

            if (next.DesiredStatus == LifecycleStatus.Running)
            {
                ContainerActionKind? kind = container.KnownStatus switch
                {
                    LifecycleStatus.None => ContainerActionKind.Pull,
                    LifecycleStatus.Pulled => ContainerActionKind.Create,
                    LifecycleStatus.Created => ContainerActionKind.Start,
                    _ => null,
                };
                if (kind is not { } step)
                {
                    continue;
                }

                var check = step == ContainerActionKind.Pull ? DependencyCheck.Ready : graph.Check(next, container.Name, step, now);
                if (check.Readiness == Readiness.Ready)
                {
                    actions.Add(new ContainerAction(container.Name, step));
                }
                else if (check.Readiness == Readiness.Impossible)
                {
                    next = ContainerHasStopped(next, container.Name, c => c with { Reason = check.Reason }, check.Reason!,
                        next.KnownStatus < LifecycleStatus.Running ? TaskStopCode.TaskFailedToStart : TaskStopCode.EssentialContainerExited,
                        stopsTask: true);
                }
            }
            else if (container.KnownStatus != LifecycleStatus.Running)
            {
                // Never started (or created but not started): nothing to stop in Docker.
                next = next.WithContainer(container with { KnownStatus = LifecycleStatus.Stopped });
            }
        }

        if (next.DesiredStatus == LifecycleStatus.Stopped)
        {
            // A task that was meant to run may have just been stopped above: its idle containers stop first, then the
            // running ones whose dependents have all stopped.
            foreach (var container in next.Containers.Where(c => !busy.Contains(c.Name) && c.KnownStatus < LifecycleStatus.Running))
            {
                next = next.WithContainer(container with { KnownStatus = LifecycleStatus.Stopped });
            }

            foreach (var container in next.Containers.Where(c => !busy.Contains(c.Name) && c.KnownStatus == LifecycleStatus.Running))
            {
                if (graph.DependentsOf(container.Name).All(d => next.Container(d) is not { } dependent || dependent.KnownStatus == LifecycleStatus.Stopped))
                {
                    actions.Add(new ContainerAction(container.Name, ContainerActionKind.Stop));
                }
            }

            actions.RemoveAll(a => a.Kind != ContainerActionKind.Stop);
        }

        if (next.PullStartedAt is null && actions.Exists(a => a.Kind == ContainerActionKind.Pull))
        {
            next = next with { PullStartedAt = now };
        }

        return (UpdateKnownStatus(next, now), actions);
    }

    /// <summary>
    /// The task's known status is the earliest of its containers' (never moving back). While an essential container
    /// has stopped and others still run, the task stays where it is until they have stopped too.
    /// </summary>
    public static StoredTask UpdateKnownStatus(StoredTask task, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Containers.IsEmpty)
        {
            return task;
        }

        var earliest = task.Containers.Min(c => c.KnownStatus);
        var essentialStopped = task.Containers.Exists(c => c.Essential && c.KnownStatus == LifecycleStatus.Stopped);
        if ((earliest == LifecycleStatus.Running && essentialStopped) || earliest <= task.KnownStatus)
        {
            return task;
        }

        var next = task with { KnownStatus = earliest };
        if (earliest == LifecycleStatus.Running)
        {
            next = next with { StartedAt = next.StartedAt ?? now };
        }
        else if (earliest == LifecycleStatus.Stopped)
        {
            next = next with { ExecutionStoppedAt = next.ExecutionStoppedAt ?? now };
            if (next.DesiredStatus == LifecycleStatus.Running)
            {
                // Every container exited without an essential one among them (only possible when none is essential).
                next = next with
                {
                    DesiredStatus = LifecycleStatus.Stopped,
                    StopCode = TaskStopCode.EssentialContainerExited,
                    StoppedReason = EssentialContainerExitedReason,
                };
            }
        }

        return next;
    }

    private static StoredTask ImageIsReady(StoredTask task, ImageReady e, DateTimeOffset now)
    {
        var next = Update(task, e.Container, LifecycleStatus.Pulled, c => c with { ImageDigest = e.ImageDigest ?? c.ImageDigest });
        return ReferenceEquals(next, task) ? task : next with { PullStoppedAt = now };
    }

    /// <summary>
    /// The container runs: the first time with its bindings and start time; afterwards only its health can change
    /// (Docker's health_status events arrive as new observations of a running container).
    /// </summary>
    private static StoredTask ContainerIsRunning(StoredTask task, ContainerRunning e, DateTimeOffset now)
    {
        var container = task.Container(e.Container);
        if (container is null || container.KnownStatus > LifecycleStatus.Running)
        {
            return task;
        }

        var health = e.Health is not null && container.Health is not null ? e.Health : container.Health;
        if (container.KnownStatus == LifecycleStatus.Running)
        {
            return health == container.Health ? task : task.WithContainer(container with { Health = health });
        }

        return task.WithContainer(container with
        {
            KnownStatus = LifecycleStatus.Running,
            RuntimeId = container.RuntimeId ?? e.RuntimeId,
            NetworkBindings = [.. e.Bindings],
            StartedAt = container.StartedAt ?? now,
            Health = health,
            Ipv4Address = e.Address?.Ipv4Address ?? container.Ipv4Address,
            MacAddress = e.Address?.MacAddress ?? container.MacAddress,
        });
    }

    /// <summary>How often a task re-picks host ports that turned out to be taken before it gives up.</summary>
    public const int MaxHostPortRetries = 5;

    /// <summary>
    /// Back to "image ready", without its container, name or host ports, so it is made again with other ports — or,
    /// after <see cref="MaxHostPortRetries"/> attempts, a failure.
    /// </summary>
    private static StoredTask HostPortWasTaken(StoredTask task, HostPortTaken taken)
    {
        var container = task.Container(taken.Container);
        if (container is null || container.KnownStatus is LifecycleStatus.Running or LifecycleStatus.Stopped)
        {
            return task;
        }

        if (task.HostPortRetries >= MaxHostPortRetries)
        {
            var reason = $"CannotStartContainerError: host port {taken.HostPort} was taken, and so were the ports picked in {MaxHostPortRetries} more attempts";
            return ContainerHasStopped(task, taken.Container, c => c with { Reason = reason }, reason, TaskStopCode.TaskFailedToStart, stopsTask: true);
        }

        var again = container with { KnownStatus = LifecycleStatus.Pulled, RuntimeId = null, DockerName = null, HostPorts = [] };
        return task.WithContainer(again) with { HostPortRetries = task.HostPortRetries + 1 };
    }

    private static StoredTask Update(StoredTask task, string name, LifecycleStatus status, Func<ContainerRecord, ContainerRecord> change)
    {
        var container = task.Container(name);
        return container is null || container.KnownStatus >= status
            ? task
            : task.WithContainer(change(container) with { KnownStatus = status });
    }

    /// <summary>
    /// Marks the container STOPPED; an essential one stopping (or any failure that <paramref name="stopsTask"/>) stops a
    /// task that was meant to run.
    /// </summary>
    private static StoredTask ContainerHasStopped(
        StoredTask task, string name, Func<ContainerRecord, ContainerRecord> change, string stoppedReason, string stopCode, bool stopsTask = false)
    {
        var container = task.Container(name);
        if (container is null || container.KnownStatus == LifecycleStatus.Stopped)
        {
            return task;
        }

        var next = task.WithContainer(change(container) with { KnownStatus = LifecycleStatus.Stopped });
        return (container.Essential || stopsTask) && next.DesiredStatus == LifecycleStatus.Running
            ? next with { DesiredStatus = LifecycleStatus.Stopped, StopCode = stopCode, StoppedReason = stoppedReason }
            : next;
    }
}
