using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Session;

/// <summary>
/// Pings Docker every heartbeat interval, so the control plane learns (through the heartbeats) when the agent cannot
/// reach its runtime and stops placing tasks here until it can again.
/// </summary>
public sealed partial class RuntimeHealthMonitor(IDockerDriver driver, IOptions<AgentOptions> options, TimeProvider time, ILogger<RuntimeHealthMonitor> logger)
    : BackgroundService
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);
    private int _current = (int)RuntimeHealth.Unspecified;

    public RuntimeHealth Current => (RuntimeHealth)Volatile.Read(ref _current);

    /// <summary>Pings once and records the outcome.</summary>
    public async Task<RuntimeHealth> CheckAsync(CancellationToken cancellationToken)
    {
        RuntimeHealth health;
        string? problem = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PingTimeout);
            await driver.PingAsync(timeout.Token).ConfigureAwait(false);
            health = RuntimeHealth.Ok;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            health = RuntimeHealth.Impaired;
            problem = e.Message;
        }

        var previous = (RuntimeHealth)Interlocked.Exchange(ref _current, (int)health);
        if (previous != health)
        {
            if (health == RuntimeHealth.Impaired)
            {
                Log.Impaired(logger, problem ?? "");
            }
            else if (previous == RuntimeHealth.Impaired)
            {
                Log.Recovered(logger);
            }
        }

        return health;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        try
        {
            do
            {
                await CheckAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
