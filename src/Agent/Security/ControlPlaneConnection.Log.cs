namespace Orchestrator.Agent.Security;

public sealed partial class ControlPlaneConnection
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Refused the control plane at {Endpoint}: {Problem}")]
        public static partial void ServerCertificateRejected(ILogger logger, string endpoint, string problem);

        [LoggerMessage(2, LogLevel.Debug, "New connections present the client certificate {Thumbprint} (valid until {NotAfter:u})")]
        public static partial void PresentingCertificate(ILogger logger, string thumbprint, DateTime notAfter);
    }
}
