namespace Orchestrator.ControlPlane.LoadBalancing;

public sealed partial class TcpProxy
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Load balancer TCP listener could not accept a connection: {Error}")]
        public static partial void AcceptFailed(ILogger logger, string error);
    }
}
