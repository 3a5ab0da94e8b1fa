namespace Orchestrator.Agent.Registration;

/// <summary>Finds the host's GPUs, which the agent registers as the instance's GPU resource.</summary>
public interface IGpuProbe
{
    /// <summary>The IDs of the host's GPUs (NVIDIA UUIDs such as <c>GPU-5a3c…</c>, as ECS registers them); empty when it has none.</summary>
    Task<IReadOnlyList<string>> FindAsync(CancellationToken cancellationToken);
}
