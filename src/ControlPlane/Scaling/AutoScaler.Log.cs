namespace Orchestrator.ControlPlane.Scaling;

public sealed partial class AutoScaler
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Auto scaling {Target}: desired count {Previous} -> {Desired} ({Status}): {Cause}")]
        public static partial void Scaled(ILogger logger, string target, int previous, int desired, string status, string cause);

        [LoggerMessage(2, LogLevel.Information, "Auto scaling {Target}: scheduled action {Action} set min {Min} max {Max}")]
        public static partial void ScheduledActionFired(ILogger logger, string target, string action, int min, int max);

        [LoggerMessage(3, LogLevel.Warning, "Auto scaling {Target} skipped this pass: {Reason}")]
        public static partial void TargetSkipped(ILogger logger, string target, string reason);

        [LoggerMessage(4, LogLevel.Error, "The auto scaler's pass failed; it tries again after its interval")]
        public static partial void PassFailed(ILogger logger, Exception exception);
    }
}
