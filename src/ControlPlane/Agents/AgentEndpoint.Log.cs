namespace Orchestrator.ControlPlane.Agents;

public sealed partial class AgentEndpoint
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Agent of {ContainerInstanceArn} connected with {Tasks} tasks")]
        public static partial void Connected(ILogger logger, string containerInstanceArn, int tasks);

        [LoggerMessage(2, LogLevel.Information, "Agent of {ContainerInstanceArn} disconnected")]
        public static partial void Disconnected(ILogger logger, string containerInstanceArn);

        [LoggerMessage(3, LogLevel.Warning, "Refused a session hello: {Reason}")]
        public static partial void Refused(ILogger logger, string reason);

        [LoggerMessage(4, LogLevel.Warning, "Refused a second session for {ContainerInstanceArn}: its current session is live")]
        public static partial void SessionTaken(ILogger logger, string containerInstanceArn);

        [LoggerMessage(5, LogLevel.Information, "Renewed the client certificate of {ContainerInstanceArn}")]
        public static partial void Renewed(ILogger logger, string containerInstanceArn);

        [LoggerMessage(6, LogLevel.Information, "The agent of {ContainerInstanceArn} deregistered its instance (an uninstall)")]
        public static partial void DeregisteredSelf(ILogger logger, string containerInstanceArn);
    }
}
