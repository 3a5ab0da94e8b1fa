namespace Orchestrator.Agent.Engine;

internal sealed partial class AwsvpcPause
{
    private static partial class Log
    {
        [LoggerMessage(23, LogLevel.Error, "awsvpc tasks cannot run: {Error}")]
        public static partial void PauseProgramMissing(ILogger logger, string error);

        [LoggerMessage(24, LogLevel.Information, "Loaded the pause image {Image}")]
        public static partial void PauseImageLoaded(ILogger logger, string image);

        [LoggerMessage(25, LogLevel.Information, "Created the awsvpc network {Network} on {Interface} for {Subnets}")]
        public static partial void AwsvpcNetworkCreated(ILogger logger, string network, string @interface, string subnets);

        [LoggerMessage(26, LogLevel.Warning, "Task {TaskArn}: the pause container's {Action} failed: {Error}")]
        public static partial void StepFailed(ILogger logger, string taskArn, ContainerActionKind action, string error);

        [LoggerMessage(27, LogLevel.Warning, "Task {TaskArn}: removing the pause container that could not start failed: {Error}")]
        public static partial void RemovalFailed(ILogger logger, string taskArn, string error);
    }
}
