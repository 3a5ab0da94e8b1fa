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
            Log.SignInRefused(logger, AsTyped(accessKeyId), remote);
        }
    }

    /// <summary>
    /// A refused ID as the log shows it: an access-key-shaped ID (letters and digits) in full, anything else not at all —
    /// a secret typed into the ID field must not reach the log.
    /// </summary>
    internal static string AsTyped(string accessKeyId) =>
        accessKeyId.Length is > 0 and <= 64 && accessKeyId.All(char.IsAsciiLetterOrDigit) ? accessKeyId : $"(not an access key ID, {accessKeyId.Length} characters)";

    public void SignInThrottled(string remote)
    {
        if (_budget.Allow(remote))
        {
            Log.SignInThrottled(logger, remote);
        }
    }
}
