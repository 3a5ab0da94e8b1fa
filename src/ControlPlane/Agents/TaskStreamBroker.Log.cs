namespace Orchestrator.ControlPlane.Agents;

public sealed partial class TaskStreamBroker
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Following the logs of {TaskArn}: the agent of {ContainerInstanceArn} went away; resuming when it is back")]
        public static partial void Resuming(ILogger logger, string taskArn, string containerInstanceArn);
    }
}
