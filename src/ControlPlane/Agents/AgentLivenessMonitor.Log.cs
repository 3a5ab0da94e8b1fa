namespace Orchestrator.ControlPlane.Agents;

public sealed partial class AgentLivenessMonitor
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Agent of {ContainerInstanceArn} sent nothing for {Timeout}; marking it disconnected")]
        public static partial void Silent(ILogger logger, string containerInstanceArn, TimeSpan timeout);
    }
}
