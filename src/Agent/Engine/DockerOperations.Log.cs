namespace Orchestrator.Agent.Engine;

internal sealed partial class DockerOperations
{
    private static partial class Log
    {
        [LoggerMessage(9, LogLevel.Debug, "Task {TaskArn} container {ContainerName}: {Action}")]
        public static partial void ActionStarted(ILogger logger, string taskArn, string containerName, ContainerActionKind action);

        [LoggerMessage(10, LogLevel.Warning, "Task {TaskArn} container {ContainerName}: {Action} failed: {Error}")]
        public static partial void ActionFailed(ILogger logger, string taskArn, string containerName, ContainerActionKind action, string error);

        [LoggerMessage(11, LogLevel.Information, "Task {TaskArn} container {ContainerName}: pulling {Image}")]
        public static partial void PullingImage(ILogger logger, string taskArn, string containerName, string image);

        [LoggerMessage(21, LogLevel.Information, "Task {TaskArn} container {ContainerName}: using the cached {Image} (pull behavior {Behavior})")]
        public static partial void ImageCached(ILogger logger, string taskArn, string containerName, string image, string behavior);

        [LoggerMessage(22, LogLevel.Warning, "Task {TaskArn} container {ContainerName}: pulling {Image} failed, using the cached image: {Error}")]
        public static partial void PullFailedUsingCached(ILogger logger, string taskArn, string containerName, string image, string error);

        [LoggerMessage(12, LogLevel.Information, "Task {TaskArn} container {ContainerName}: stopping {RuntimeId} (SIGKILL after {Timeout})")]
        public static partial void StoppingContainer(ILogger logger, string taskArn, string containerName, string runtimeId, TimeSpan timeout);

        [LoggerMessage(13, LogLevel.Warning, "Task {TaskArn} container {ContainerName}: inspect failed: {Error}")]
        public static partial void InspectFailed(ILogger logger, string taskArn, string containerName, string error);

        [LoggerMessage(14, LogLevel.Warning, "Docker is not answering ({Error}); retrying")]
        public static partial void DockerUnavailable(ILogger logger, string error);

        [LoggerMessage(16, LogLevel.Error, "A background Docker operation failed")]
        public static partial void OperationFailed(ILogger logger, Exception exception);

        [LoggerMessage(18, LogLevel.Warning, "Task {TaskArn} container {ContainerName}: removal failed: {Error}")]
        public static partial void CleanupFailed(ILogger logger, string taskArn, string containerName, string error);

        [LoggerMessage(19, LogLevel.Information, "Task {TaskArn} container {ContainerName}: creating Docker volume {Volume}")]
        public static partial void CreatingVolume(ILogger logger, string taskArn, string containerName, string volume);

        [LoggerMessage(20, LogLevel.Warning, "Task {TaskArn}: removing Docker volume {Volume} failed: {Error}")]
        public static partial void VolumeCleanupFailed(ILogger logger, string taskArn, string volume, string error);
    }
}
