using Orchestrator.ControlPlane.Security;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// The console's sign-ins: who signed in (the access key ID, never its secret) and refusals, bounded per remote
/// address like the ECS API's log (<see cref="LogBudget"/>).
/// </summary>
public sealed partial class ConsoleLog(ILogger<ConsoleLog> logger, TimeProvider clock)
{
    private readonly LogBudget _budget = new(clock, (remote, count) => Log.Suppressed(logger, count, remote, LogBudget.Window.TotalSeconds));

    public void SignedIn(string remote, string accessKeyId, bool readOnly) => Log.SignedIn(logger, EcsText.Cut(accessKeyId, 64), readOnly, remote);

    public void SignInRefused(string remote, string accessKeyId)
    {
        if (_budget.Allow(remote))
        {
            Log.SignInRefused(logger, EcsText.Cut(accessKeyId, 64), remote);
        }
    }

    public void SignInThrottled(string remote)
    {
        if (_budget.Allow(remote))
        {
            Log.SignInThrottled(logger, remote);
        }
    }
}
