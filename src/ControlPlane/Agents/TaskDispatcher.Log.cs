namespace Orchestrator.ControlPlane.Agents;

public sealed partial class TaskDispatcher
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Agent of {ContainerInstanceArn} is not connected; task {TaskArn} is sent when it reconnects")]
        public static partial void Deferred(ILogger logger, string taskArn, string containerInstanceArn);

        // The reason names secrets (by valueFrom), never a value.
        [LoggerMessage(2, LogLevel.Warning, "Task {TaskArn} is not started: {Reason}")]
        public static partial void SecretsUnavailable(ILogger logger, string taskArn, string reason);

        [LoggerMessage(3, LogLevel.Error, "Task {TaskArn} could not be recorded as stopped")]
        public static partial void StopFailed(ILogger logger, string taskArn, Exception exception);
    }
}
