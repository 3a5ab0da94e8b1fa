namespace Orchestrator.ControlPlane.State;

public sealed partial class StateStore
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "State loaded from {Path}: {Clusters} clusters, {TaskDefinitions} task definitions, {Instances} container instances, {Tasks} tasks")]
        public static partial void Loaded(ILogger logger, string path, int clusters, int taskDefinitions, int instances, int tasks);
    }
}
