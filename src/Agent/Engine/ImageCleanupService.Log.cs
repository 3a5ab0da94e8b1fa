namespace Orchestrator.Agent.Engine;

public sealed partial class ImageCleanupService
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Image cleanup removed {Image}")]
        public static partial void Removed(ILogger logger, string image);

        [LoggerMessage(2, LogLevel.Warning, "Image cleanup could not remove {Image}, skipped: {Reason}")]
        public static partial void RemoveFailed(ILogger logger, string image, string reason);
    }
}
