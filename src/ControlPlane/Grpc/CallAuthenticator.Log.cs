namespace Orchestrator.ControlPlane.Grpc;

public sealed partial class CallAuthenticator
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Refused {Method} from {Peer}: {Reason}")]
        public static partial void Refused(ILogger logger, string method, string reason, string peer);

        [LoggerMessage(2, LogLevel.Information, "Refused {What} from {Peer}: access key {AccessKeyId} is read-only")]
        public static partial void Denied(ILogger logger, string accessKeyId, string what, string peer);
    }
}
