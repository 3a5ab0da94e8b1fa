namespace Orchestrator.ControlPlane.Capacity;

public sealed partial class ScalingHook
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The scaling hook command for capacity provider {Provider} failed: {Problem}")]
        public static partial void CommandFailed(ILogger logger, string provider, string problem);

        [LoggerMessage(2, LogLevel.Warning, "The scaling webhook ({Authority}) for capacity provider {Provider} failed: {Problem}")]
        public static partial void WebhookFailed(ILogger logger, string provider, string authority, string problem);
    }
}
