namespace Orchestrator.ControlPlane.LoadBalancing;

public sealed partial class LoadBalancerHost
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Load balancer listening on {Address}:{Port} ({Protocol})")]
        public static partial void Listening(ILogger logger, string address, int port, string protocol);

        [LoggerMessage(Level = LogLevel.Information, Message = "Load balancer stopped listening on port {Port}")]
        public static partial void Stopped(ILogger logger, int port);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Load balancer could not listen on {Address}:{Port}: {Error}; tried again at the next change")]
        public static partial void BindFailed(ILogger logger, string address, int port, string error);
    }
}
