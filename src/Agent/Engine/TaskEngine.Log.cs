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

        [LoggerMessage(9, LogLevel.Debug, "Task {TaskArn} container {ContainerName}: {Action}")]
        public static partial void ActionStarted(ILogger logger, string taskArn, string containerName, ContainerActionKind action);

        [LoggerMessage(10, LogLevel.Warning, "Task {TaskArn} container {ContainerName}: {Action} failed: {Error}")]
        public static partial void ActionFailed(ILogger logger, string taskArn, string containerName, ContainerActionKind action, string error);

        [LoggerMessage(11, LogLevel.Information, "Task {TaskArn} container {ContainerName}: pulling {Image}")]
        public static partial void PullingImage(ILogger logger, string taskArn, string containerName, string image);

        [LoggerMessage(12, LogLevel.Information, "Task {TaskArn} container {ContainerName}: stopping {RuntimeId} (SIGKILL after {Timeout})")]
        public static partial void StoppingContainer(ILogger logger, string taskArn, string containerName, string runtimeId, TimeSpan timeout);

        [LoggerMessage(13, LogLevel.Warning, "Task {TaskArn} container {ContainerName}: inspect failed: {Error}")]
        public static partial void InspectFailed(ILogger logger, string taskArn, string containerName, string error);

        [LoggerMessage(14, LogLevel.Warning, "Docker is not answering ({Error}); retrying")]
        public static partial void DockerUnavailable(ILogger logger, string error);

        [LoggerMessage(15, LogLevel.Error, "The task engine failed to process {Message}")]
        public static partial void MessageFailed(ILogger logger, string message, Exception exception);

        [LoggerMessage(16, LogLevel.Error, "A background Docker operation failed")]
        public static partial void OperationFailed(ILogger logger, Exception exception);

        [LoggerMessage(17, LogLevel.Information, "Removed the containers of stopped task {TaskArn}")]
        public static partial void TaskCleanedUp(ILogger logger, string taskArn);

        [LoggerMessage(18, LogLevel.Warning, "Task {TaskArn} container {ContainerName}: removal failed: {Error}")]
        public static partial void CleanupFailed(ILogger logger, string taskArn, string containerName, string error);

        [LoggerMessage(19, LogLevel.Information, "Task {TaskArn} container {ContainerName}: creating Docker volume {Volume}")]
        public static partial void CreatingVolume(ILogger logger, string taskArn, string containerName, string volume);

        [LoggerMessage(20, LogLevel.Warning, "Task {TaskArn}: removing Docker volume {Volume} failed: {Error}")]
        public static partial void VolumeCleanupFailed(ILogger logger, string taskArn, string volume, string error);

        [LoggerMessage(21, LogLevel.Information, "Task {TaskArn} container {ContainerName}: host ports {HostPorts} from {Range}")]
        public static partial void HostPortsAssigned(ILogger logger, string taskArn, string containerName, string hostPorts, string range);

        [LoggerMessage(22, LogLevel.Warning, "Task {TaskArn} container {ContainerName}: no free host port in {Range}")]
        public static partial void HostPortsExhausted(ILogger logger, string taskArn, string containerName, string range);

        [LoggerMessage(23, LogLevel.Error, "awsvpc tasks cannot run: {Error}")]
        public static partial void PauseProgramMissing(ILogger logger, string error);

        [LoggerMessage(24, LogLevel.Information, "Loaded the pause image {Image}")]
        public static partial void PauseImageLoaded(ILogger logger, string image);

        [LoggerMessage(25, LogLevel.Information, "Created the awsvpc network {Network} on {Interface} for {Subnets}")]
        public static partial void AwsvpcNetworkCreated(ILogger logger, string network, string @interface, string subnets);
    }
}
