namespace Orchestrator.Agent.Metadata;

public sealed partial class MetadataServer
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "The task metadata endpoint is off (Agent:MetadataPort=0)")]
        public static partial void Off(ILogger logger);

        [LoggerMessage(Level = LogLevel.Information, Message = "The task metadata endpoint listens on {Endpoints}")]
        public static partial void Listening(ILogger logger, string endpoints);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The task metadata endpoint cannot listen on {Endpoints}: {Problem}")]
        public static partial void CannotListen(ILogger logger, string endpoints, string problem);

        [LoggerMessage(Level = LogLevel.Warning, Message = "awsvpc tasks get no metadata endpoint: {Problem}")]
        public static partial void NoAwsvpc(ILogger logger, string problem);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The Docker bridge's gateway is unknown, so bridge containers get no metadata endpoint: {Problem}")]
        public static partial void NoBridge(ILogger logger, string problem);
    }
}
