using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Registration;

/// <summary>The GPUs the host registers: the configured ones (<c>--gpu</c>, <c>Agent:Gpus</c>) if any, else what the probe finds (unless <c>Agent:GpuProbe</c> is off).</summary>
public static class HostGpus
{
    public static async Task<IReadOnlyList<string>> ResolveAsync(AgentOptions options, IGpuProbe probe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(probe);
        if (options.ConfiguredGpus is { Count: > 0 } configured)
        {
            return configured;
        }

        return options.GpuProbe ? await probe.FindAsync(cancellationToken).ConfigureAwait(false) : [];
    }
}
