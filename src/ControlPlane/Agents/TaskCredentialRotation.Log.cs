namespace Orchestrator.ControlPlane.Agents;

public sealed partial class TaskCredentialRotation
{
    private static partial class Log
    {
        // The key ID only: never the secret or the session token.
        [LoggerMessage(1, LogLevel.Information, "Task {TaskArn} sent new role keys {AccessKeyId}")]
        public static partial void Rotated(ILogger logger, string taskArn, string accessKeyId);

        [LoggerMessage(2, LogLevel.Warning, "Task {TaskArn} gets no new role keys: {Reason}")]
        public static partial void NoRole(ILogger logger, string taskArn, string reason);

        [LoggerMessage(3, LogLevel.Error, "Rotating task role keys failed")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
