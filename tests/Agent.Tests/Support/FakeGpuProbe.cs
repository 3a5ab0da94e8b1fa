using Orchestrator.Agent.Registration;

namespace Orchestrator.Agent.Tests.Support;

/// <summary>A GPU probe that finds the GPUs it is given, and counts how often it was asked.</summary>
internal sealed class FakeGpuProbe(params string[] gpuIds) : IGpuProbe
{
    public int Probes { get; private set; }

    public Task<IReadOnlyList<string>> FindAsync(CancellationToken cancellationToken)
    {
        Probes++;
        return Task.FromResult<IReadOnlyList<string>>(gpuIds);
    }
}
