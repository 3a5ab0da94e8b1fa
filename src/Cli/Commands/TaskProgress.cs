using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.Cli.Commands;

/// <summary>Where waiting for tasks to reach RUNNING stands.</summary>
internal enum WaitState
{
    Waiting,
    /// <summary>Every task is RUNNING.</summary>
    Running,
    /// <summary>A task stopped (or is no longer known to the cluster) before every task was RUNNING.</summary>
    Failed,
    TimedOut,
    /// <summary>The control plane ended the watch first.</summary>
    WatchEnded,
}

/// <summary>One task's lastStatus moving from one value to another.</summary>
internal sealed record StatusChange(string TaskArn, string From, string To);

/// <summary>
/// Follows placed tasks through the DescribeTasks snapshots that WatchTasks sends: which statuses changed and whether
/// the wait is over. Pure: no I/O and no clock.
/// </summary>
internal sealed class TaskProgress
{
    private readonly List<string> _order;
    private readonly Dictionary<string, EcsTask> _tasks;
    private readonly List<Failure> _failures = [];

    public TaskProgress(IEnumerable<EcsTask> placed)
    {
        _tasks = placed.ToDictionary(t => t.TaskArn, StringComparer.Ordinal);
        _order = [.. _tasks.Keys];
    }

    /// <summary>The latest state of every task, in the order they were placed.</summary>
    public IReadOnlyList<EcsTask> Tasks => [.. _order.Select(arn => _tasks[arn])];

    /// <summary>The watched tasks the control plane reported as failures (e.g. MISSING).</summary>
    public IReadOnlyList<Failure> Failures => _failures;

    public IReadOnlyList<EcsTask> Stopped => [.. Tasks.Where(t => t.LastStatus == TaskStatus.Stopped)];

    public WaitState State { get; private set; } = WaitState.Waiting;

    /// <summary>Takes in a snapshot and returns the status changes it shows, in placement order.</summary>
    public IReadOnlyList<StatusChange> Observe(TasksResponse snapshot)
    {
        var changes = new List<StatusChange>();
        foreach (var task in snapshot.Tasks.OrderBy(t => _order.IndexOf(t.TaskArn)))
        {
            if (!_tasks.TryGetValue(task.TaskArn, out var known))
            {
                continue;
            }

            if (known.LastStatus != task.LastStatus)
            {
                changes.Add(new StatusChange(task.TaskArn, known.LastStatus, task.LastStatus));
            }

            _tasks[task.TaskArn] = task;
        }

        foreach (var failure in snapshot.Failures.Where(f => f.Arn is { } arn && _tasks.ContainsKey(arn)))
        {
            if (!_failures.Contains(failure))
            {
                _failures.Add(failure);
            }
        }

        State = Evaluate();
        return changes;
    }

    /// <summary>Records why waiting ended without every task reaching RUNNING or one failing.</summary>
    public void End(WaitState state) => State = state;

    private WaitState Evaluate()
    {
        if (_failures.Count > 0 || _tasks.Values.Any(t => t.LastStatus == TaskStatus.Stopped))
        {
            return WaitState.Failed;
        }

        return _tasks.Values.All(t => t.LastStatus == TaskStatus.Running) ? WaitState.Running : WaitState.Waiting;
    }
}
