namespace Orchestrator.Agent.Engine;

internal sealed partial class DockerEventWatcher
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Docker's event stream ended; reconnecting")]
        public static partial void StreamEnded(ILogger logger);

        [LoggerMessage(2, LogLevel.Warning, "Docker's event stream failed: {Error}; reconnecting")]
        public static partial void StreamFailed(ILogger logger, string error);
    }
}
