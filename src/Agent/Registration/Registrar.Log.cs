using Grpc.Core;

namespace Orchestrator.Agent.Registration;

public sealed partial class Registrar
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Registered as {ContainerInstanceArn} in {ClusterArn} (CPU {Cpu}, memory {MemoryMiB} MiB, GPUs {Gpus})")]
        public static partial void Registered(ILogger logger, string containerInstanceArn, string clusterArn, int cpu, int memoryMiB, int gpus);

        [LoggerMessage(2, LogLevel.Warning, "The control plane no longer knew {OldContainerInstanceArn}; registered as {ContainerInstanceArn}")]
        public static partial void InstanceReplaced(ILogger logger, string oldContainerInstanceArn, string containerInstanceArn);

        [LoggerMessage(3, LogLevel.Information, "Joining the cluster with activation {ActivationId} ({Reason}): a new key and certificate request")]
        public static partial void Joining(ILogger logger, string activationId, string reason);

        [LoggerMessage(4, LogLevel.Information, "Joined with activation {ActivationId}: client certificate stored in {Path}, valid until {NotAfter:u}")]
        public static partial void Joined(ILogger logger, string activationId, string path, DateTime notAfter);

        [LoggerMessage(5, LogLevel.Error, "The control plane refused activation {ActivationId}: {StatusCode} {Detail}")]
        public static partial void ActivationRefused(ILogger logger, string activationId, StatusCode statusCode, string detail);

        [LoggerMessage(6, LogLevel.Error, "The control plane refused the client certificate {Thumbprint}: {StatusCode} {Detail}")]
        public static partial void CertificateRefused(ILogger logger, string thumbprint, StatusCode statusCode, string detail);

        [LoggerMessage(7, LogLevel.Warning, "The endpoint {Endpoint} is plaintext http://: no certificates are used, and the activation and CA settings are ignored")]
        public static partial void PlaintextIgnoresSecurity(ILogger logger, string endpoint);
    }
}
