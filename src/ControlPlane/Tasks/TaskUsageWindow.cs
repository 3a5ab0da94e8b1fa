using System.Collections.Concurrent;

namespace Orchestrator.ControlPlane.Tasks;

/// <summary>
/// The latest usage samples of each task as its agent reported them with its heartbeats (in memory only: a restarted
/// control plane starts with an empty window, which the agents fill again within a few heartbeats). Bounded: at most
/// <see cref="MaxSamplesPerTask"/> samples per task, none older than <see cref="MaxAge"/>, and a task not reported for
/// that long is forgotten.
/// </summary>
public sealed class TaskUsageWindow(TimeProvider clock)
{
    public const int MaxSamplesPerTask = 120;
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Queue<TaskUsageSample>> _tasks = new(StringComparer.Ordinal);
    private long _records;

    /// <summary>One agent heartbeat's per-task figures (CPU in percent of one CPU, memory in bytes).</summary>
    public void Record(IEnumerable<(string TaskArn, double CpuPercent, long MemoryUsedBytes)> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var now = clock.GetUtcNow();
        foreach (var (arn, cpu, memory) in tasks)
        {
            if (string.IsNullOrEmpty(arn) || arn.Length > 1600 || !double.IsFinite(cpu))
            {
                continue;
            }

            var queue = _tasks.GetOrAdd(arn, _ => new Queue<TaskUsageSample>());
            lock (queue)
            {
                queue.Enqueue(new TaskUsageSample(now, Math.Max(0, cpu), Math.Max(0, memory)));
                while (queue.Count > MaxSamplesPerTask || (queue.Count > 0 && queue.Peek().At < now - MaxAge))
                {
                    queue.Dequeue();
                }
            }
        }

        if (Interlocked.Increment(ref _records) % 64 == 0)
        {
            Prune(now);
        }
    }

    /// <summary>The task's samples taken at or after <paramref name="since"/>, oldest first.</summary>
    public IReadOnlyList<TaskUsageSample> Since(string taskArn, DateTimeOffset since)
    {
        if (!_tasks.TryGetValue(taskArn, out var queue))
        {
            return [];
        }

        lock (queue)
        {
            return [.. queue.Where(s => s.At >= since)];
        }
    }

    /// <summary>How many tasks have samples (for tests).</summary>
    public int Count => _tasks.Count;

    private void Prune(DateTimeOffset now)
    {
        foreach (var (arn, queue) in _tasks)
        {
            lock (queue)
            {
                if (queue.Count == 0 || queue.Last().At < now - MaxAge)
                {
                    _tasks.TryRemove(arn, out _);
                }
            }
        }
    }
}

/// <summary>One sample of a task: CPU in percent of one CPU (200 is two CPUs busy), memory in bytes.</summary>
public sealed record TaskUsageSample(DateTimeOffset At, double CpuPercent, long MemoryUsedBytes);
