namespace Orchestrator.ControlPlane.Discovery;

public sealed partial class DnsServer
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Service discovery DNS listening on {Address}:{Port} (UDP and TCP, zone orch.local)")]
        public static partial void Listening(ILogger logger, string address, int port);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A DNS query could not be answered ({Error}); dropped")]
        public static partial void AnswerFailed(ILogger logger, string error);
    }
}
