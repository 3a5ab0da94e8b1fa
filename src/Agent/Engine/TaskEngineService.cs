namespace Orchestrator.Agent.Engine;

/// <summary>Starts the task engine with the host and stops it (leaving the containers running) when the host stops.</summary>
public sealed class TaskEngineService(TaskEngine engine) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => engine.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken) => await engine.DisposeAsync().ConfigureAwait(false);
}
