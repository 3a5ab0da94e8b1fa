namespace Orchestrator.ControlPlane.Services;

public sealed partial class ServiceReconciler
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Service scheduler pass for {ServiceArn} failed")]
        public static partial void Failed(ILogger logger, Exception exception, string serviceArn);
    }
}
