using System.Collections.Concurrent;

namespace Orchestrator.ControlPlane.LoadBalancing;

/// <summary>Requests the balancer forwarded, per target group, since the control plane started (memory only).</summary>
public sealed class RequestCounter
{
    private readonly ConcurrentDictionary<string, StrongBox> _counts = new(StringComparer.Ordinal);

    public void Count(string targetGroup) => Interlocked.Increment(ref _counts.GetOrAdd(targetGroup, _ => new StrongBox()).Value);

    public long Total(string targetGroup) => _counts.TryGetValue(targetGroup, out var box) ? Interlocked.Read(ref box.Value) : 0;

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, long Total)> _last = new(StringComparer.Ordinal);

    /// <summary>
    /// Requests per minute to <paramref name="targetGroup"/> since the previous call for it (the auto scaler's pass);
    /// null on the first call, or when no time has passed.
    /// </summary>
    public double? PerMinute(string targetGroup, DateTimeOffset now)
    {
        var total = Total(targetGroup);
        var previous = _last.TryGetValue(targetGroup, out var last) ? last : ((DateTimeOffset, long)?)null;
        if (previous is { } p && now <= p.Item1)
        {
            return null;
        }

        _last[targetGroup] = (now, total);
        return previous is { } before ? (total - before.Item2) / (now - before.Item1).TotalMinutes : null;
    }

    private sealed class StrongBox
    {
        public long Value;
    }
}
