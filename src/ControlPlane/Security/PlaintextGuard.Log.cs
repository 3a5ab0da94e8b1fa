namespace Orchestrator.ControlPlane.Security;

public static partial class PlaintextGuard
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Refused a plaintext connection from {Remote}: the gRPC port speaks TLS only (endpoints are https://; agents join with an activation)")]
        public static partial void Refused(ILogger logger, string remote);
    }
}
