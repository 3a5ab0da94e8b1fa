using System.Diagnostics;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;

namespace Orchestrator.Agent.Tests.Support;

/// <summary>Bounded waits on the agent's local state: woken by every commit, re-checked at least every 100 ms.</summary>
internal static class StoreWaits
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task<T> WaitForAsync<T>(this AgentStore store, Func<T?> probe, string what, TimeSpan? timeout = null)
        where T : class
    {
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var version = store.Changes.Version;
            if (probe() is { } result)
            {
                return result;
            }

            var remaining = limit - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Timed out after {limit} waiting for {what}.");
            }

            await store.Changes.WaitAsync(
                version, remaining < TimeSpan.FromMilliseconds(100) ? remaining : TimeSpan.FromMilliseconds(100), TimeProvider.System,
                TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until the task's persisted record satisfies <paramref name="predicate"/>.</summary>
    public static Task<StoredTask> WaitForTaskAsync(this AgentStore store, string taskArn, Func<StoredTask, bool> predicate, string what, TimeSpan? timeout = null) =>
        store.WaitForAsync(() => store.LoadTasks().FirstOrDefault(t => t.TaskArn == taskArn && predicate(t)), $"task {what}", timeout);

    /// <summary>
    /// Waits until the task's known status is <paramref name="status"/>; a task that stopped instead fails the wait at
    /// once with its stopped reason rather than after the timeout.
    /// </summary>
    public static async Task<StoredTask> WaitForStatusAsync(this AgentStore store, string taskArn, LifecycleStatus status, TimeSpan? timeout = null)
    {
        var task = await store.WaitForTaskAsync(
            taskArn, t => t.KnownStatus == status || (status < LifecycleStatus.Stopped && t.KnownStatus == LifecycleStatus.Stopped), status.ToString(), timeout);
        return task.KnownStatus == status
            ? task
            : throw new InvalidOperationException($"Task {taskArn} stopped while waiting for {status}: {task.StoppedReason}");
    }

    /// <summary>The state changes of one task still in the outbox, in sequence order.</summary>
    public static IReadOnlyList<SequencedReport> Changes(this AgentStore store, string taskArn) =>
        [.. store.ReadOutbox(0, 10_000).Where(c => c.Task.TaskArn == taskArn)];
}
