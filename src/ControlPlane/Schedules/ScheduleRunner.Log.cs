namespace Orchestrator.ControlPlane.Schedules;

public sealed partial class ScheduleRunner
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Schedule {Schedule} fired for {ScheduledTime:o}: {Status}, {Tasks} task(s) started")]
        public static partial void Fired(ILogger logger, string schedule, DateTimeOffset scheduledTime, string status, int tasks);

        [LoggerMessage(2, LogLevel.Error, "Schedule {Schedule} could not run its tasks")]
        public static partial void RunFailed(ILogger logger, Exception exception, string schedule);

        [LoggerMessage(3, LogLevel.Error, "The schedule runner's pass failed; it tries again within a minute")]
        public static partial void PassFailed(ILogger logger, Exception exception);
    }
}
