namespace Orchestrator.ControlPlane.Security;

public sealed partial class SecurityBootstrap
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Insecure mode (--insecure): gRPC in plaintext without authentication, on loopback only. Agents join without activation.")]
        public static partial void Insecure(ILogger logger);

        [LoggerMessage(2, LogLevel.Warning, "The ECS API accepts unsigned requests: no access keys are configured (--access-keys-file), so it listens on loopback only.")]
        public static partial void UnsignedHttp(ILogger logger);

        [LoggerMessage(3, LogLevel.Information, "Created the admin access key {AccessKeyId}; it and its secret are in {ConfigFile} (owner-only)")]
        public static partial void AdminCreated(ILogger logger, string accessKeyId, string configFile);

        [LoggerMessage(4, LogLevel.Information, "gRPC over TLS; cluster CA {Fingerprint} (agents: --ca-fingerprint); orch: ORCH_CONFIG={ConfigFile}")]
        public static partial void Secure(ILogger logger, string fingerprint, string configFile);
    }
}
