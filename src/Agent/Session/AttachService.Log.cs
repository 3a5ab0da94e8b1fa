namespace Orchestrator.Agent.Session;

public sealed partial class AttachService
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Stream {StreamId} opened: {Kind} of {TaskArn} ({Open} open)")]
        public static partial void StreamOpened(ILogger logger, string streamId, string kind, string taskArn, int open);

        [LoggerMessage(2, LogLevel.Information, "Stream {StreamId} closed ({Open} open)")]
        public static partial void StreamClosed(ILogger logger, string streamId, int open);

        [LoggerMessage(3, LogLevel.Debug, "Stream {StreamId} ended early: {Error}")]
        public static partial void StreamBroken(ILogger logger, string streamId, string error);

        [LoggerMessage(4, LogLevel.Warning, "Stream {StreamId} failed")]
        public static partial void StreamFailed(ILogger logger, string streamId, Exception exception);
    }
}
