namespace Orchestrator.ControlPlane.Agents;

public sealed partial class InstanceRegistration
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Registered container instance {ContainerInstanceArn} (host {Hostname})")]
        public static partial void Registered(ILogger logger, string containerInstanceArn, string hostname);
    }
}
