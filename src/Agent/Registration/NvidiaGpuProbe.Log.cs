namespace Orchestrator.Agent.Registration;

public sealed partial class NvidiaGpuProbe
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "GPUs found by {Source}: {GpuIds}")]
        public static partial void GpusFound(ILogger logger, string source, string gpuIds);

        [LoggerMessage(2, LogLevel.Warning, "nvidia-smi -L did not answer within {Timeout}; looking for /dev/nvidia* instead")]
        public static partial void NvidiaSmiTimedOut(ILogger logger, TimeSpan timeout);
    }
}
