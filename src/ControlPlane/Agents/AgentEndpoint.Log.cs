namespace Orchestrator.ControlPlane.Agents;

public sealed partial class AgentEndpoint
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Agent of {ContainerInstanceArn} connected with {Tasks} tasks")]
        public static partial void Connected(ILogger logger, string containerInstanceArn, int tasks);

        [LoggerMessage(2, LogLevel.Information, "Agent of {ContainerInstanceArn} disconnected")]
        public static partial void Disconnected(ILogger logger, string containerInstanceArn);
    }
}
