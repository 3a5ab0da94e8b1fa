using Grpc.Core;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Security;

/// <summary>
/// <c>agent --deregister</c>: the host's container instance leaves its cluster (DeregisterSelf, with force), proven
/// by the instance's own client certificate, as an uninstall needs it. No admin key on the host; the certificate is
/// revoked by the deregistration.
/// </summary>
public static class SelfDeregistration
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>0 when deregistered, 1 when the host has no identity or the control plane refused.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var credentials = services.GetRequiredService<AgentCredentials>();
        try
        {
            await services.GetRequiredService<ClusterTrust>().EnsureAsync(cancellationToken).ConfigureAwait(false);
            if (credentials.LoadValidCertificate(out var problem) is null)
            {
                await error.WriteLineAsync($"This host has no valid client certificate in {credentials.Files.DirectoryPath} ({problem}): nothing to deregister with.").ConfigureAwait(false);
                return 1;
            }

            using var lease = services.GetRequiredService<ControlPlaneConnection>().Acquire();
            var response = await lease.Client.DeregisterSelfAsync(new DeregisterSelfRequest(), deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken);
            await output.WriteLineAsync($"Deregistered {response.ContainerInstanceArn}").ConfigureAwait(false);
            return 0;
        }
        catch (RpcException e)
        {
            await error.WriteLineAsync($"The control plane refused to deregister this host: {e.StatusCode} {e.Status.Detail}").ConfigureAwait(false);
            return 1;
        }
        catch (AgentRefusedException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
