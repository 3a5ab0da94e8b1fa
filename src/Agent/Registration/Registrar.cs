using Grpc.Core;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.State;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Registration;

/// <summary>
/// Registers this host as a container instance: one attempt per call (the session retries with back-off). The saved
/// ARN is sent every time, so the control plane returns the same instance rather than a new one.
/// </summary>
public sealed partial class Registrar(
    AgentService.AgentServiceClient client,
    IDockerDriver docker,
    AgentStore store,
    IOptions<AgentOptions> options,
    DynamicPortRange dynamicPorts,
    IGpuProbe gpuProbe,
    TimeProvider time,
    ILogger<Registrar> logger)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Registers and saves the container instance ARN; returns it.</summary>
    public async Task<string> RegisterAsync(CancellationToken cancellationToken)
    {
        var info = await docker.GetHostInfoAsync(cancellationToken).ConfigureAwait(false);
        var saved = store.GetContainerInstanceArn();
        var hostId = store.GetOrCreateHostId(HostIdentity.NewHostId);
        var gpus = await HostGpus.ResolveAsync(options.Value, gpuProbe, cancellationToken).ConfigureAwait(false);
        var request = HostRegistration.Request(info, options.Value, saved, hostId, Environment.MachineName, dynamicPorts, gpus);
        var response = await client.RegisterAsync(
            request, deadline: time.GetUtcNow().UtcDateTime + Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(response.ContainerInstanceArn))
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, "Register answered without a container instance ARN."));
        }

        if (saved is not null && saved != response.ContainerInstanceArn)
        {
            Log.InstanceReplaced(logger, saved, response.ContainerInstanceArn);
        }

        store.SaveContainerInstanceArn(response.ContainerInstanceArn);
        Log.Registered(logger, response.ContainerInstanceArn, response.ClusterArn, request.Resources.Cpu, request.Resources.MemoryMib, request.Resources.GpuIds.Count);
        return response.ContainerInstanceArn;
    }
}
