using System.Collections.Concurrent;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// The log of the ECS API's refused and failed requests, bounded: values are cut to a few dozen characters, and each
/// remote address gets at most <see cref="LinesPerWindow"/> lines per <see cref="Window"/>; the rest are counted and
/// the count is logged once the window is over. A client that sends garbage in a loop cannot fill the disk.
/// </summary>
public sealed partial class EcsRequestLog(ILogger<EcsRequestLog> logger, TimeProvider clock)
{
    public const int LinesPerWindow = 20;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private const int MaxAddresses = 10_000;

    private readonly ConcurrentDictionary<string, Budget> _budgets = new(StringComparer.Ordinal);

    /// <summary>A request answered with a client error: at Information, with its values cut.</summary>
    public void Refused(string remote, string action, string errorType, string message, string requestId)
    {
        if (Allow(remote))
        {
            Log.Refused(logger, EcsText.Cut(action), EcsText.Cut(errorType), EcsText.Cut(message, 256), requestId, remote);
        }
    }

    /// <summary>A request that failed inside the control plane (a bug): at Error, with the exception.</summary>
    public void Failed(string remote, Exception exception, string action, string requestId)
    {
        if (Allow(remote))
        {
            Log.Failed(logger, exception, EcsText.Cut(action), requestId, remote);
        }
    }

    private bool Allow(string remote)
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
            Log.Suppressed(logger, budget.Suppressed, remote, Window.TotalSeconds);
        }
    }

    private sealed class Budget(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;
        public int Lines { get; set; }
        public int Suppressed { get; set; }
    }
}
