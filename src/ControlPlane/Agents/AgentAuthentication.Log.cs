namespace Orchestrator.ControlPlane.Agents;

public sealed partial class AgentAuthentication
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Refused agent call {Method} from {Peer}: {Reason}")]
        public static partial void Refused(ILogger logger, string method, string reason, string peer);

        [LoggerMessage(2, LogLevel.Information, "Activation {ActivationId} used by {Peer} ({Registrations} of {MaxRegistrations} registrations)")]
        public static partial void Activated(ILogger logger, string activationId, int registrations, int maxRegistrations, string peer);

        [LoggerMessage(3, LogLevel.Information, "{Count} more refused agent calls from {Remote} in {Seconds} s were not logged")]
        public static partial void Suppressed(ILogger logger, int count, string remote, double seconds);
    }
}
