namespace Orchestrator.ControlPlane.Agents;

public sealed partial class SessionReports
{
    private static partial class Log
    {
        [LoggerMessage(2, LogLevel.Information, "Task {TaskArn} is {LastStatus} {StoppedReason}")]
        public static partial void TaskStatus(ILogger logger, string taskArn, string lastStatus, string? stoppedReason);

        [LoggerMessage(3, LogLevel.Warning, "Agent of {ContainerInstanceArn} reported task {TaskArn}, which is not placed on it; ignored")]
        public static partial void UnknownTask(ILogger logger, string taskArn, string containerInstanceArn);
    }
}
