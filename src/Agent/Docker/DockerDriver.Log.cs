namespace Orchestrator.Agent.Docker;

public sealed partial class DockerDriver
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Pulling image {Image}")]
        public static partial void Pulling(ILogger logger, string image);

        [LoggerMessage(2, LogLevel.Information, "Pulled image {Image}")]
        public static partial void Pulled(ILogger logger, string image);

        [LoggerMessage(3, LogLevel.Warning, "Docker's event stream failed: {Error}")]
        public static partial void EventStreamFailed(ILogger logger, string error);
    }
}
