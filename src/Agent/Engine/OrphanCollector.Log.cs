namespace Orchestrator.Agent.Engine;

public static partial class OrphanCollector
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Removed orphaned container {ContainerName} ({RuntimeId}) of task {TaskArn}, which this agent no longer knows")]
        public static partial void Removed(ILogger logger, string containerName, string runtimeId, string taskArn);
    }
}
