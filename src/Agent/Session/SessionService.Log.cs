using Grpc.Core;

namespace Orchestrator.Agent.Session;

public sealed partial class SessionService
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Session open as {ContainerInstanceArn}: hello with {TaskCount} tasks through sequence {ThroughSequence}")]
        public static partial void SessionOpened(ILogger logger, string containerInstanceArn, int taskCount, ulong throughSequence);

        [LoggerMessage(2, LogLevel.Warning, "The control plane ended the session of {ContainerInstanceArn}")]
        public static partial void SessionEnded(ILogger logger, string containerInstanceArn);

        [LoggerMessage(3, LogLevel.Warning, "The control plane does not know {ContainerInstanceArn} ({Detail}); registering again")]
        public static partial void InstanceNotFound(ILogger logger, string containerInstanceArn, string detail);

        [LoggerMessage(4, LogLevel.Warning, "{Operation} with the control plane at {Endpoint} failed: {StatusCode} {Detail}")]
        public static partial void ControlPlaneFailed(ILogger logger, string operation, string endpoint, StatusCode statusCode, string detail);

        [LoggerMessage(5, LogLevel.Warning, "{Operation} failed: {Error}")]
        public static partial void SessionFailed(ILogger logger, string operation, string error);

        [LoggerMessage(6, LogLevel.Information, "Reconnecting in {Delay}")]
        public static partial void Reconnecting(ILogger logger, TimeSpan delay);

        [LoggerMessage(7, LogLevel.Debug, "Acknowledged through {ThroughSequence}; {Removed} outbox entries removed")]
        public static partial void Acknowledged(ILogger logger, ulong throughSequence, int removed);

        [LoggerMessage(8, LogLevel.Information, "RunTask {TaskArn}")]
        public static partial void RunTaskReceived(ILogger logger, string taskArn);

        [LoggerMessage(9, LogLevel.Information, "StopTask {TaskArn}: {Reason}")]
        public static partial void StopTaskReceived(ILogger logger, string taskArn, string reason);

        [LoggerMessage(10, LogLevel.Warning, "Ignored a control message of unknown kind {Kind}")]
        public static partial void UnknownMessage(ILogger logger, string kind);

        [LoggerMessage(11, LogLevel.Debug, "Sent state change {Sequence} of {TaskArn}: {LastStatus}")]
        public static partial void StateChangeSent(ILogger logger, string taskArn, ulong sequence, Orchestrator.Agent.State.ReportedStatus lastStatus);

        [LoggerMessage(12, LogLevel.Error, "{Reason}")]
        public static partial void Refused(ILogger logger, string reason);

        [LoggerMessage(13, LogLevel.Error, "The control plane refused the session of {ContainerInstanceArn}: {StatusCode} {Detail}")]
        public static partial void SessionRefused(ILogger logger, string containerInstanceArn, StatusCode statusCode, string detail);

        [LoggerMessage(14, LogLevel.Error, "{Operation} failed: the control plane at {Endpoint} speaks TLS; the endpoint should be https:// (with --ca-fingerprint or --ca-file)")]
        public static partial void ControlPlaneSpeaksTls(ILogger logger, string operation, string endpoint);

        [LoggerMessage(15, LogLevel.Warning, "The host has no valid client certificate any more ({Problem}); registering again")]
        public static partial void JoiningAgain(ILogger logger, string problem);

        [LoggerMessage(16, LogLevel.Debug, "Received new task role keys {AccessKeyId} for {TaskArn}")]
        public static partial void CredentialsReceived(ILogger logger, string taskArn, string accessKeyId);
    }
}
