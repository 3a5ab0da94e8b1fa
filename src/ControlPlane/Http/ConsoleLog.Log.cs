namespace Orchestrator.ControlPlane.Http;

public sealed partial class ConsoleLog
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Console sign-in with access key {AccessKeyId} (read-only: {ReadOnly}) from {Remote}")]
        public static partial void SignedIn(ILogger logger, string accessKeyId, bool readOnly, string remote);

        [LoggerMessage(2, LogLevel.Warning, "Console sign-in refused for access key {AccessKeyId} from {Remote}: wrong key or secret")]
        public static partial void SignInRefused(ILogger logger, string accessKeyId, string remote);

        [LoggerMessage(3, LogLevel.Warning, "Console sign-in from {Remote} refused unchecked: too many failed attempts in the last minute")]
        public static partial void SignInThrottled(ILogger logger, string remote);

        [LoggerMessage(4, LogLevel.Information, "{Count} more console sign-in refusals from {Remote} in {Seconds} s were not logged")]
        public static partial void Suppressed(ILogger logger, int count, string remote, double seconds);
    }
}
