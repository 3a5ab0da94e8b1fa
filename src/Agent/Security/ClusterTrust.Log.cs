namespace Orchestrator.Agent.Security;

public sealed partial class ClusterTrust
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Trusting the stored cluster CA {Fingerprint} ({Path})")]
        public static partial void TrustingStored(ILogger logger, string fingerprint, string path);

        [LoggerMessage(2, LogLevel.Information, "Trusting the cluster CA {Fingerprint} from {Path}; stored it")]
        public static partial void TrustingFile(ILogger logger, string fingerprint, string path);

        [LoggerMessage(3, LogLevel.Information, "The control plane at {Endpoint} offered the cluster CA {Fingerprint}, the one given; stored it")]
        public static partial void TrustingFetched(ILogger logger, string fingerprint, string endpoint);
    }
}
