namespace Orchestrator.ControlPlane.Agents;

public sealed partial class LostInstanceMonitor
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Container instance {ContainerInstanceArn} lost ({Away} without its agent): {Tasks} service tasks stopped for replacement elsewhere")]
        public static partial void Lost(ILogger logger, string containerInstanceArn, TimeSpan away, int tasks);
    }
}
