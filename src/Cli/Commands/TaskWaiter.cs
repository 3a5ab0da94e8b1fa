using Orchestrator.Cli.Output;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orch task run --wait</c>: watches the placed tasks, prints each status change, and ends when every task is
/// RUNNING, one stops, or the timeout passes.
/// </summary>
internal static class TaskWaiter
{
    public static async Task<TaskProgress> WaitAsync(
        Invocation invocation, string cluster, IReadOnlyList<EcsTask> placed, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var output = invocation.Output;
        var progress = new TaskProgress(placed);
        output.Progress($"Waiting up to {Duration.Format(timeout)} for {placed.Count} task(s) to be RUNNING…");

        using var timeoutSource = new CancellationTokenSource(timeout, invocation.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            await foreach (var snapshot in invocation.Client.WatchTasksAsync(cluster, placed.Select(t => t.TaskArn), linked.Token))
            {
                foreach (var change in progress.Observe(snapshot))
                {
                    output.Progress($"{Formats.ShortTaskId(change.TaskArn)} {change.From} → {change.To}");
                }

                if (progress.State != WaitState.Waiting)
                {
                    return progress;
                }
            }

            progress.End(WaitState.WatchEnded);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            progress.End(WaitState.TimedOut);
        }

        return progress;
    }

    /// <summary>Explains on standard error why waiting did not end with every task RUNNING.</summary>
    public static void ReportProblem(CommandOutput output, TaskProgress progress, TimeSpan timeout)
    {
        switch (progress.State)
        {
            case WaitState.Failed:
                foreach (var task in progress.Stopped)
                {
                    var code = task.StopCode is null ? "" : $" ({task.StopCode})";
                    output.Error($"Task {Formats.TaskId(task.TaskArn)} stopped{code}: {task.StoppedReason ?? "no reason given"}");
                    foreach (var container in task.Containers.Where(c => c.Reason is not null || c.ExitCode is not null))
                    {
                        var exit = container.ExitCode is { } exitCode ? $"exit code {Formats.Number(exitCode)}" : "no exit code";
                        output.Error($"  container {container.Name}: {exit}{(container.Reason is null ? "" : $", {container.Reason}")}");
                    }
                }

                foreach (var failure in progress.Failures)
                {
                    output.Error($"Task {Formats.TaskId(failure.Arn ?? "")}: {failure.Reason}{(failure.Detail is null ? "" : $" ({failure.Detail})")}");
                }

                break;
            case WaitState.TimedOut:
                var waiting = progress.Tasks.Where(t => t.LastStatus != TaskStatus.Running)
                    .Select(t => $"{Formats.ShortTaskId(t.TaskArn)} {t.LastStatus}");
                output.Error($"Timed out after {Duration.Format(timeout)} waiting for tasks to be RUNNING; still waiting: {string.Join(", ", waiting)}");
                break;
            case WaitState.WatchEnded:
                output.Error("The control plane ended the watch before every task was RUNNING.");
                break;
            default:
                break;
        }
    }
}
