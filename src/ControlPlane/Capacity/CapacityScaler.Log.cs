namespace Orchestrator.ControlPlane.Capacity;

public sealed partial class CapacityScaler
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Capacity provider {Provider} of cluster {Cluster}: asked the scaling hook for {Desired} instance(s) (has {Current}, reservation {Reservation}%)")]
        public static partial void Asked(ILogger logger, string provider, string cluster, int desired, int current, double reservation);

        [LoggerMessage(2, LogLevel.Warning, "Capacity provider {Provider} of cluster {Cluster}: the scaling hook failed ({Failures} time(s) in a row); trying again in {Delay}")]
        public static partial void HookFailedRetry(ILogger logger, string provider, string cluster, int failures, TimeSpan delay);

        [LoggerMessage(3, LogLevel.Error, "The capacity scaler's pass failed; the next one runs as planned")]
        public static partial void PassFailed(ILogger logger, Exception exception);
    }
}
