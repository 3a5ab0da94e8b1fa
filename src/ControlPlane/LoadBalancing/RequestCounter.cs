using System.Collections.Concurrent;

namespace Orchestrator.ControlPlane.LoadBalancing;

/// <summary>Requests the balancer forwarded, per target group, since the control plane started (memory only).</summary>
public sealed class RequestCounter
{
    private readonly ConcurrentDictionary<string, StrongBox> _counts = new(StringComparer.Ordinal);

    public void Count(string targetGroup) => Interlocked.Increment(ref _counts.GetOrAdd(targetGroup, _ => new StrongBox()).Value);

    public long Total(string targetGroup) => _counts.TryGetValue(targetGroup, out var box) ? Interlocked.Read(ref box.Value) : 0;

    private sealed class StrongBox
    {
        public long Value;
    }
}
