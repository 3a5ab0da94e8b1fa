namespace Orchestrator.ControlPlane.Services;

public sealed partial class ServiceScheduler
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Service {ServiceArn}: {Message}")]
        public static partial void Event(ILogger logger, string serviceArn, string message);
    }
}
