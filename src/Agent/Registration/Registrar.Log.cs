namespace Orchestrator.Agent.Registration;

public sealed partial class Registrar
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Registered as {ContainerInstanceArn} in {ClusterArn} (CPU {Cpu}, memory {MemoryMiB} MiB, GPUs {Gpus})")]
        public static partial void Registered(ILogger logger, string containerInstanceArn, string clusterArn, int cpu, int memoryMiB, int gpus);

        [LoggerMessage(2, LogLevel.Warning, "The control plane no longer knew {OldContainerInstanceArn}; registered as {ContainerInstanceArn}")]
        public static partial void InstanceReplaced(ILogger logger, string oldContainerInstanceArn, string containerInstanceArn);
    }
}
