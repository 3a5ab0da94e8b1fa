using System.Collections.Concurrent;
using System.Diagnostics;

namespace Orchestrator.Benchmarks;

/// <summary>
/// When each task's RUNNING report was acknowledged (so stored), across all simulated agents: the RunTask load and the
/// scale harness both wait on it for their end-to-end figures.
/// </summary>
internal sealed class StoredTasks
{
    private readonly ConcurrentDictionary<string, long> _at = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private (int Target, TaskCompletionSource Done)? _waiter;

    public int Count => _at.Count;

    /// <summary>The <see cref="Stopwatch"/> timestamp of the latest acknowledgement.</summary>
    public long LastAt { get; private set; }

    public long At(string taskArn) => _at[taskArn];

    public bool Contains(string taskArn) => _at.ContainsKey(taskArn);

    public void Add(string taskArn)
    {
        var now = Stopwatch.GetTimestamp();
        if (!_at.TryAdd(taskArn, now))
        {
            return;
        }

        lock (_gate)
        {
            LastAt = Math.Max(LastAt, now);
            if (_waiter is { } w && _at.Count >= w.Target)
            {
                w.Done.TrySetResult();
            }
        }
    }

    /// <summary>Completes once <paramref name="target"/> tasks are acknowledged (one waiter at a time).</summary>
    public Task WaitForAsync(int target)
    {
        lock (_gate)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiter = (target, done);
            if (_at.Count >= target)
            {
                done.TrySetResult();
            }

            return done.Task;
        }
    }
}
