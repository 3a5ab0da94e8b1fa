namespace Orchestrator.ControlPlane.Grpc;

public sealed partial class AdminService
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Access key {AccessKeyId} created (read-only: {ReadOnly}) by {Caller}")]
        public static partial void KeyCreated(ILogger logger, string accessKeyId, bool readOnly, string caller);

        [LoggerMessage(2, LogLevel.Information, "Access key {AccessKeyId} deleted by {Caller}")]
        public static partial void KeyDeleted(ILogger logger, string accessKeyId, string caller);

        [LoggerMessage(3, LogLevel.Information, "Activation {ActivationId} created for cluster {Cluster} ({MaxRegistrations} registrations, expires {ExpiresAt:u}) by {Caller}")]
        public static partial void ActivationCreated(ILogger logger, string activationId, string cluster, int maxRegistrations, DateTimeOffset expiresAt, string caller);

        [LoggerMessage(4, LogLevel.Information, "Activation {ActivationId} revoked by {Caller}")]
        public static partial void ActivationRevoked(ILogger logger, string activationId, string caller);

        // Secrets: their names only, never a value or a description.
        [LoggerMessage(5, LogLevel.Information, "Secret {Name} created by {Caller}")]
        public static partial void SecretCreated(ILogger logger, string name, string caller);

        [LoggerMessage(6, LogLevel.Information, "Secret {Name} given a new value (version {Version}) by {Caller}")]
        public static partial void SecretPut(ILogger logger, string name, int version, string caller);

        [LoggerMessage(7, LogLevel.Information, "Secret {Name} deleted by {Caller}")]
        public static partial void SecretDeleted(ILogger logger, string name, string caller);

        [LoggerMessage(8, LogLevel.Information, "Role {Name} created by {Caller}")]
        public static partial void RoleCreated(ILogger logger, string name, string caller);

        [LoggerMessage(9, LogLevel.Information, "Role {Name} deleted by {Caller}")]
        public static partial void RoleDeleted(ILogger logger, string name, string caller);
    }
}
