namespace Orchestrator.ControlPlane.Http;

public sealed partial class EcsRequestLog
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "ECS API {Action} refused with {ErrorType}: {Message} (request {RequestId} from {Remote})")]
        public static partial void Refused(ILogger logger, string action, string errorType, string message, string requestId, string remote);

        [LoggerMessage(2, LogLevel.Error, "ECS API {Action} failed (request {RequestId} from {Remote})")]
        public static partial void Failed(ILogger logger, Exception exception, string action, string requestId, string remote);

        [LoggerMessage(3, LogLevel.Information, "{Count} more refused or failed ECS API requests from {Remote} in {Seconds} s were not logged")]
        public static partial void Suppressed(ILogger logger, int count, string remote, double seconds);
    }
}
