namespace Orchestrator.ControlPlane.Agents;

public sealed partial class TaskDispatcher
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Agent of {ContainerInstanceArn} is not connected; task {TaskArn} is sent when it reconnects")]
        public static partial void Deferred(ILogger logger, string taskArn, string containerInstanceArn);
    }
}
