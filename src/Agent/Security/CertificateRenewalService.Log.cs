namespace Orchestrator.Agent.Security;

public sealed partial class CertificateRenewalService
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Renewed the client certificate: {Thumbprint}, valid until {NotAfter:u}; new connections present it")]
        public static partial void Renewed(ILogger logger, string thumbprint, DateTime notAfter);

        [LoggerMessage(2, LogLevel.Warning, "Renewing the client certificate (valid until {NotAfter:u}) failed: {Reason}; retrying in {Delay}")]
        public static partial void RenewalFailed(ILogger logger, DateTime notAfter, string reason, TimeSpan delay);
    }
}
