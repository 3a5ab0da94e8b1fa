namespace Orchestrator.Agent.Engine;

internal sealed partial class HostPortPicker
{
    private static partial class Log
    {
        [LoggerMessage(21, LogLevel.Information, "Task {TaskArn} container {ContainerName}: host ports {HostPorts} from {Range}")]
        public static partial void HostPortsAssigned(ILogger logger, string taskArn, string containerName, string hostPorts, string range);

        [LoggerMessage(22, LogLevel.Warning, "Task {TaskArn} container {ContainerName}: no free host port in {Range}")]
        public static partial void HostPortsExhausted(ILogger logger, string taskArn, string containerName, string range);
    }
}
