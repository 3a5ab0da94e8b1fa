namespace Orchestrator.ControlPlane.Grpc;

public sealed partial class CallAuthenticator
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Refused {Method} from {Peer}: {Reason}")]
        public static partial void Refused(ILogger logger, string method, string reason, string peer);

        [LoggerMessage(2, LogLevel.Information, "Refused {What} from {Peer}: access key {AccessKeyId} is read-only")]
        public static partial void Denied(ILogger logger, string accessKeyId, string what, string peer);

        [LoggerMessage(3, LogLevel.Information, "{Count} more refused calls from {Remote} in {Seconds} s were not logged")]
        public static partial void Suppressed(ILogger logger, int count, string remote, double seconds);
    }
}
