using Grpc.Core;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.Security;
using Orchestrator.Agent.State;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Registration;

/// <summary>
/// Registers this host as a container instance: one attempt per call (the session retries with back-off). The saved
/// ARN is sent every time, so the control plane returns the same instance rather than a new one.
/// Over https the CA is settled first (<see cref="ClusterTrust"/>); a host with a valid client certificate registers
/// with it (mutual TLS, no activation), one without joins with its activation and a certificate request for a key it
/// generates and keeps, and stores the certificate it is given.
/// </summary>
public sealed partial class Registrar(
    ControlPlaneConnection connection,
    ClusterTrust trust,
    AgentCredentials credentials,
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
    /// <exception cref="AgentRefusedException">The agent cannot join without an operator (e.g. its activation was refused).</exception>
    public async Task<string> RegisterAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.UsesTls)
        {
            // First, and whatever Docker's state: a wrong CA is an operator's matter, said at once.
            await trust.EnsureAsync(cancellationToken).ConfigureAwait(false);
        }

        var info = await docker.GetHostInfoAsync(cancellationToken).ConfigureAwait(false);
        var saved = store.GetContainerInstanceArn();
        var hostId = store.GetOrCreateHostId(HostIdentity.NewHostId);
        var gpus = await HostGpus.ResolveAsync(options.Value, gpuProbe, cancellationToken).ConfigureAwait(false);
        var request = HostRegistration.Request(info, options.Value, saved, hostId, Environment.MachineName, dynamicPorts, gpus);
        if (!settings.UsesTls && (settings.HasActivation || !string.IsNullOrWhiteSpace(settings.CaFile) || !string.IsNullOrWhiteSpace(settings.CaFingerprint)))
        {
            Log.PlaintextIgnoresSecurity(logger, settings.Endpoint);
        }

        var response = settings.UsesTls
            ? await RegisterSecurelyAsync(request, hostId, cancellationToken).ConfigureAwait(false)
            : await CallAsync(request, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Over https, whether the host has no valid client certificate any more (it expired, say, while renewals failed):
    /// then only joining again with the activation helps.
    /// </summary>
    public bool MustJoinAgain(out string? problem)
    {
        problem = null;
        return options.Value.UsesTls && credentials.Ca is not null && credentials.LoadValidCertificate(out problem) is null;
    }

    /// <summary>Whether the control plane refused the caller (as opposed to failing).</summary>
    public static bool IsRefusal(RpcException e) => e?.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated;

    private async Task<RegisterResponse> RegisterSecurelyAsync(RegisterRequest request, string hostId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var certificate = credentials.LoadValidCertificate(out var problem);
        if (certificate is not null)
        {
            try
            {
                return await CallAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (IsRefusal(e))
            {
                Log.CertificateRefused(logger, certificate.Thumbprint, e.StatusCode, e.Status.Detail);
                if (!settings.HasActivation)
                {
                    throw;
                }

                problem = $"the control plane refused the client certificate ({e.Status.Detail})";
            }
        }

        if (!settings.HasActivation)
        {
            throw new AgentRefusedException(
                $"This host cannot join: {problem}, and no activation is given; join it with --activation-id and --activation-code (orch activation create prints them).");
        }

        Log.Joining(logger, settings.ActivationId!, problem ?? "no certificate");
        var (key, certificateRequest) = ClusterCertificates.NewKeyAndRequest(hostId);
        using (key)
        {
            request.ActivationId = settings.ActivationId!.Trim();
            request.ActivationCode = settings.ActivationCode!.Trim();
            request.CertificateRequest = certificateRequest;
            RegisterResponse response;
            try
            {
                response = await CallAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (IsRefusal(e))
            {
                Log.ActivationRefused(logger, request.ActivationId, e.StatusCode, e.Status.Detail);
                throw new AgentRefusedException($"The control plane refused activation {request.ActivationId}: {e.Status.Detail}", e);
            }

            if (string.IsNullOrEmpty(response.Certificate))
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, "Register answered the activation without a certificate."));
            }

            var issued = credentials.Store(response.Certificate, key);
            Log.Joined(logger, request.ActivationId, credentials.Files.CertificatePath, issued.NotAfter.ToUniversalTime());
            return response;
        }
    }

    private async Task<RegisterResponse> CallAsync(RegisterRequest request, CancellationToken cancellationToken)
    {
        using var lease = connection.Acquire();
        return await lease.Client.RegisterAsync(
            request, deadline: time.GetUtcNow().UtcDateTime + Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
