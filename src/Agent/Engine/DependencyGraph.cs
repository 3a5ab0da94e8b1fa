using System.Globalization;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

public enum Readiness
{
    Ready,
    Waiting,
    /// <summary>The dependency can no longer be met (it failed, exited badly, or timed out).</summary>
    Impossible,
}

/// <summary>Whether a container may take its next step, and if it never can, why (ECS-style, for the stopped reason).</summary>
public sealed record DependencyCheck(Readiness Readiness, string? Reason = null)
{
    public static readonly DependencyCheck Ready = new(Readiness.Ready);
    public static readonly DependencyCheck Waiting = new(Readiness.Waiting);
}

/// <summary>
/// The start order of a task's containers, with amazon-ecs-agent's semantics: a container is created and started only
/// once each container it depends on has reached the condition (START: started; COMPLETE: exited; SUCCESS: exited 0;
/// HEALTHY: its health check passes; links imply START, volumesFrom that the source exists). A condition that can no
/// longer be met — or, for COMPLETE/SUCCESS/HEALTHY, is not met within the dependency's <c>startTimeout</c> from its
/// start — makes the waiting container fail. Stopping goes the other way: a container stops only after every
/// container that depends on it has stopped. Pure.
/// </summary>
public sealed class DependencyGraph
{
    /// <summary>
    /// Not an ECS condition: the dependency runs, before the container is even created (awsvpc containers wait so
    /// for their pause container, whose network namespace they join).
    /// </summary>
    public const string Running = "RUNNING";

    public static readonly DependencyGraph Empty = new(new Dictionary<string, IReadOnlyList<ContainerDependency>>(), new Dictionary<string, int>());

    private readonly IReadOnlyDictionary<string, IReadOnlyList<ContainerDependency>> _dependencies;
    private readonly IReadOnlyDictionary<string, int> _startTimeouts;

    private DependencyGraph(IReadOnlyDictionary<string, IReadOnlyList<ContainerDependency>> dependencies, IReadOnlyDictionary<string, int> startTimeouts)
    {
        _dependencies = dependencies;
        _startTimeouts = startTimeouts;
    }

    public static DependencyGraph Of(TaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var containers = definition.ContainerDefinitions.Where(c => c.Name is not null).DistinctBy(c => c.Name).ToList();
        return new DependencyGraph(
            containers.ToDictionary(c => c.Name!, ContainerOrdering.Of, StringComparer.Ordinal),
            containers.Where(c => c.StartTimeout is > 0).ToDictionary(c => c.Name!, c => c.StartTimeout!.Value, StringComparer.Ordinal));
    }

    /// <summary>Why the definition's ordering can never work (an unknown container, a cycle, HEALTHY without a health check), else null.</summary>
    public static string? Problem(TaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var byName = definition.ContainerDefinitions.Where(c => c.Name is not null).DistinctBy(c => c.Name).ToDictionary(c => c.Name!, StringComparer.Ordinal);
        foreach (var container in byName.Values)
        {
            foreach (var dependency in ContainerOrdering.Of(container))
            {
                if (!byName.TryGetValue(dependency.ContainerName!, out var target))
                {
                    return $"CannotCreateContainerError: container '{container.Name}' depends on '{dependency.ContainerName}', which is not in the task.";
                }

                if (dependency.Condition == ContainerConditions.Healthy && target.HealthCheck is null)
                {
                    return $"CannotCreateContainerError: container '{container.Name}' waits for '{dependency.ContainerName}' to be HEALTHY, but it has no health check.";
                }
            }
        }

        return ContainerOrdering.FindCycle(definition.ContainerDefinitions) is { } cycle
            ? $"CannotCreateContainerError: the containers' dependencies form a cycle: {string.Join(" -> ", cycle)}."
            : null;
    }

    public IReadOnlyList<ContainerDependency> DependenciesOf(string container) =>
        _dependencies.TryGetValue(container, out var dependencies) ? dependencies : [];

    /// <summary>The containers that depend on <paramref name="container"/>; they must stop before it does.</summary>
    public IEnumerable<string> DependentsOf(string container) =>
        _dependencies.Where(e => e.Value.Any(d => d.ContainerName == container)).Select(e => e.Key);

    /// <summary>Whether <paramref name="container"/> may be created (<paramref name="step"/> Create) or started (Start) now.</summary>
    public DependencyCheck Check(StoredTask task, string container, ContainerActionKind step, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(task);
        var waiting = false;
        foreach (var dependency in DependenciesOf(container))
        {
            var target = task.Container(dependency.ContainerName!);
            if (target is null)
            {
                return new DependencyCheck(Readiness.Impossible, $"CannotCreateContainerError: container '{container}' depends on '{dependency.ContainerName}', which is not in the task.");
            }

            var check = Evaluate(container, dependency.Condition!, target, step, now);
            if (check.Readiness == Readiness.Impossible)
            {
                return check;
            }

            waiting |= check.Readiness == Readiness.Waiting;
        }

        return waiting ? DependencyCheck.Waiting : DependencyCheck.Ready;
    }

    /// <summary>
    /// The earliest moment after <paramref name="now"/> a waiting container's dependency times out (the engine checks
    /// again then); null when no wait has a deadline.
    /// </summary>
    public DateTimeOffset? NextDeadline(StoredTask task, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(task);
        DateTimeOffset? next = null;
        if (task.DesiredStatus != LifecycleStatus.Running)
        {
            return null;
        }

        foreach (var container in task.Containers.Where(c => c.KnownStatus is LifecycleStatus.Pulled or LifecycleStatus.Created))
        {
            foreach (var dependency in DependenciesOf(container.Name))
            {
                if (task.Container(dependency.ContainerName!) is { } target
                    && Deadline(dependency.Condition!, target) is { } deadline
                    && deadline > now
                    && (next is null || deadline < next))
                {
                    next = deadline;
                }
            }
        }

        return next;
    }

    private DependencyCheck Evaluate(string container, string condition, ContainerRecord target, ContainerActionKind step, DateTimeOffset now)
    {
        var started = target.StartedAt is not null;
        var stopped = target.KnownStatus == LifecycleStatus.Stopped;
        var satisfied = condition switch
        {
            ContainerOrdering.Create => target.RuntimeId is not null && target.KnownStatus >= LifecycleStatus.Created,
            Running => started,
            ContainerConditions.Start when step == ContainerActionKind.Create =>
                started || target.KnownStatus is LifecycleStatus.Created or LifecycleStatus.Running,
            ContainerConditions.Start => started,
            ContainerConditions.Complete => stopped && started,
            ContainerConditions.Success => stopped && target.ExitCode == 0,
            ContainerConditions.Healthy => !stopped && target.Health == HealthStatuses.Healthy,
            _ => false,
        };
        if (satisfied)
        {
            return DependencyCheck.Ready;
        }

        if (stopped)
        {
            return new DependencyCheck(Readiness.Impossible, condition switch
            {
                ContainerConditions.Success when target.ExitCode is { } code =>
                    Reason(container, target.Name, condition, string.Create(CultureInfo.InvariantCulture, $"which exited with code {code}")),
                ContainerConditions.Healthy when started => Reason(container, target.Name, condition, "which stopped before it was healthy"),
                ContainerOrdering.Create => Reason(container, target.Name, "volumesFrom", "which was never created"),
                _ => Reason(container, target.Name, condition, "which stopped without running"),
            });
        }

        if (Deadline(condition, target) is { } deadline && deadline <= now)
        {
            var goal = condition switch
            {
                ContainerConditions.Complete => "complete",
                ContainerConditions.Success => "exit successfully",
                _ => "become healthy",
            };
            return new DependencyCheck(Readiness.Impossible, string.Create(CultureInfo.InvariantCulture,
                $"CannotStartContainerError: container '{container}' gave up waiting for '{target.Name}' to {goal} within its startTimeout of {_startTimeouts[target.Name]} s"));
        }

        return DependencyCheck.Waiting;
    }

    /// <summary>When waiting for <paramref name="target"/> gives up: its start plus its startTimeout, for COMPLETE, SUCCESS and HEALTHY.</summary>
    private DateTimeOffset? Deadline(string condition, ContainerRecord target) =>
        condition is ContainerConditions.Complete or ContainerConditions.Success or ContainerConditions.Healthy
        && target.KnownStatus != LifecycleStatus.Stopped
        && target.StartedAt is { } startedAt
        && _startTimeouts.TryGetValue(target.Name, out var seconds)
            ? startedAt + TimeSpan.FromSeconds(seconds)
            : null;

    private static string Reason(string container, string dependency, string condition, string what) =>
        $"CannotStartContainerError: container '{container}' depends on '{dependency}' ({condition}), {what}";
}
