using System.Collections.Concurrent;

namespace Orchestrator.ControlPlane.Security;

/// <summary>
/// How many refusal lines one remote address may cause: at most <see cref="LinesPerWindow"/> per <see cref="Window"/>;
/// the rest are counted and the count reported once the window is over. A client that sends garbage (or bad
/// credentials) in a loop cannot fill the disk.
/// </summary>
public sealed class LogBudget(TimeProvider clock, Action<string, int> reportSuppressed)
{
    public const int LinesPerWindow = 20;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private const int MaxAddresses = 10_000;

    private readonly ConcurrentDictionary<string, Budget> _budgets = new(StringComparer.Ordinal);

    /// <summary>The address of a gRPC peer (<c>ipv4:10.0.0.5:51234</c>, <c>ipv6:[::1]:51234</c>) without its port.</summary>
    public static string AddressOf(string peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var colon = peer.LastIndexOf(':');
        var start = peer.IndexOf(':', StringComparison.Ordinal) + 1;
        return colon > start ? peer[start..colon] : peer;
    }

    /// <summary>Whether a line about <paramref name="remote"/> may be logged now.</summary>
    public bool Allow(string remote)
    {
        var now = clock.GetUtcNow();
        if (_budgets.Count >= MaxAddresses)
        {
            foreach (var stale in _budgets.Where(b => now - b.Value.Start >= Window))
            {
                Flush(stale.Key, stale.Value);
                _budgets.TryRemove(stale.Key, out _);
            }
        }

        var budget = _budgets.GetOrAdd(remote, _ => new Budget(now));
        lock (budget)
        {
            if (now - budget.Start >= Window)
            {
                Flush(remote, budget);
                budget.Start = now;
                budget.Lines = 0;
                budget.Suppressed = 0;
            }

            if (budget.Lines < LinesPerWindow)
            {
                budget.Lines++;
                return true;
            }

            budget.Suppressed++;
            return false;
        }
    }

    private void Flush(string remote, Budget budget)
    {
        if (budget.Suppressed > 0)
        {
            reportSuppressed(remote, budget.Suppressed);
        }
    }

    private sealed class Budget(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;
        public int Lines { get; set; }
        public int Suppressed { get; set; }
    }
}
