using Orchestrator.ControlPlane.Security;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// The log of the ECS API's refused and failed requests, bounded: values are cut to a few dozen characters, and each
/// remote address gets at most <see cref="LinesPerWindow"/> lines per <see cref="Window"/> (<see cref="LogBudget"/>).
/// </summary>
public sealed partial class EcsRequestLog(ILogger<EcsRequestLog> logger, TimeProvider clock)
{
    public const int LinesPerWindow = LogBudget.LinesPerWindow;
    public static readonly TimeSpan Window = LogBudget.Window;

    private readonly LogBudget _budget = new(clock, (remote, count) => Log.Suppressed(logger, count, remote, LogBudget.Window.TotalSeconds));

    /// <summary>A request answered with a client error: at Information, with its values cut.</summary>
    public void Refused(string remote, string action, string errorType, string message, string requestId)
    {
        if (_budget.Allow(remote))
        {
            Log.Refused(logger, EcsText.Cut(action), EcsText.Cut(errorType), EcsText.Cut(message, 256), requestId, remote);
        }
    }

    /// <summary>A request that failed inside the control plane (a bug): at Error, with the exception.</summary>
    public void Failed(string remote, Exception exception, string action, string requestId)
    {
        if (_budget.Allow(remote))
        {
            Log.Failed(logger, exception, EcsText.Cut(action), requestId, remote);
        }
    }
}
