namespace Orchestrator.Agent.Session;

public sealed partial class RuntimeHealthMonitor
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Docker cannot be reached ({Problem}); the control plane places nothing here until it can")]
        public static partial void Impaired(ILogger logger, string problem);

        [LoggerMessage(2, LogLevel.Information, "Docker can be reached again")]
        public static partial void Recovered(ILogger logger);
    }
}
