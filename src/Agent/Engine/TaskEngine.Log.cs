using Orchestrator.Agent.State;

namespace Orchestrator.Agent.Engine;

public sealed partial class TaskEngine
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Accepted task {TaskArn} ({Family}:{Revision})")]
        public static partial void TaskAccepted(ILogger logger, string taskArn, string family, int revision);

        [LoggerMessage(2, LogLevel.Warning, "Task {TaskArn} cannot run here: {Reason}")]
        public static partial void TaskRejected(ILogger logger, string taskArn, string reason);

        [LoggerMessage(3, LogLevel.Debug, "Task {TaskArn} is already known; RunTask ignored")]
        public static partial void DuplicateRunTask(ILogger logger, string taskArn);

        [LoggerMessage(4, LogLevel.Warning, "RunTask without a task ARN ignored")]
        public static partial void RunTaskWithoutArn(ILogger logger);

        [LoggerMessage(5, LogLevel.Information, "Stopping task {TaskArn}: {Reason}")]
        public static partial void StopRequested(ILogger logger, string taskArn, string reason);

        [LoggerMessage(6, LogLevel.Debug, "StopTask for unknown task {TaskArn} ignored")]
        public static partial void StopForUnknownTask(ILogger logger, string taskArn);

        [LoggerMessage(7, LogLevel.Information, "Task {TaskArn} state change {Sequence}: {LastStatus} {StopCode} {StoppedReason}")]
        public static partial void StateChanged(ILogger logger, string taskArn, ulong sequence, ReportedStatus lastStatus, string stopCode, string stoppedReason);

        [LoggerMessage(8, LogLevel.Information, "Adopted running container {ContainerName} ({RuntimeId}) of task {TaskArn}")]
        public static partial void ContainerAdopted(ILogger logger, string taskArn, string containerName, string runtimeId);

        [LoggerMessage(14, LogLevel.Warning, "Docker is not answering ({Error}); retrying")]
        public static partial void DockerUnavailable(ILogger logger, string error);

        [LoggerMessage(15, LogLevel.Error, "The task engine failed to process {Message}")]
        public static partial void MessageFailed(ILogger logger, string message, Exception exception);

        [LoggerMessage(17, LogLevel.Information, "Removed the containers of stopped task {TaskArn}")]
        public static partial void TaskCleanedUp(ILogger logger, string taskArn);
    }
}
