namespace Orchestrator.ControlPlane.Http;

public static partial class EcsHttpEndpoint
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "ECS API {Action} refused with {ErrorType}: {Message} (request {RequestId})")]
        public static partial void Refused(ILogger logger, string action, string errorType, string message, string requestId);

        [LoggerMessage(2, LogLevel.Error, "ECS API {Action} failed (request {RequestId})")]
        public static partial void Failed(ILogger logger, Exception exception, string action, string requestId);
    }
}
