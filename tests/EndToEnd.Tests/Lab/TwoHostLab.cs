using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>One two-host lab shared by the tests that only look (and clean up what they start).</summary>
public sealed class TwoHostLab : IAsyncLifetime
{
    public LabCluster Lab { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Lab = await LabCluster.StartAsync(new LabOptions { Hosts = 2 });

    public async ValueTask DisposeAsync()
    {
        if (Lab is not null)
        {
            await Lab.DisposeAsync();
        }
    }
}
