namespace Orchestrator.Agent.Introspection;

public sealed partial class IntrospectionServer
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "The introspection API listens on {Endpoint}")]
        public static partial void Listening(ILogger logger, string endpoint);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The introspection API cannot listen on {Endpoint}: {Problem}")]
        public static partial void CannotListen(ILogger logger, string endpoint, string problem);
    }
}
