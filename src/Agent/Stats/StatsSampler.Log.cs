namespace Orchestrator.Agent.Stats;

public sealed partial class StatsSampler
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Container stats sampling is off (Agent:StatsEnabled=false)")]
        public static partial void StatsOff(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A round of container stats samples failed: {Problem}")]
        public static partial void RoundFailed(ILogger logger, string problem);

        [LoggerMessage(Level = LogLevel.Debug, Message = "No stats sample for container {ContainerId}: {Problem}")]
        public static partial void SampleFailed(ILogger logger, string containerId, string problem);
    }
}
