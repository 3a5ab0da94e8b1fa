using Microsoft.Extensions.Options;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// Ends the sessions of agents that have gone quiet: a half-open TCP connection can look alive for minutes, but an
/// agent that has sent nothing, heartbeats included, for <see cref="ControlPlaneOptions.AgentHeartbeatTimeout"/> is
/// treated as disconnected.
/// </summary>
public sealed partial class AgentLivenessMonitor(AgentSessions sessions, IOptions<ControlPlaneOptions> options, TimeProvider clock, ILogger<AgentLivenessMonitor> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timeout = options.Value.AgentHeartbeatTimeout;
        // Checked ten times per timeout: a silent agent is marked disconnected at most a tenth of the timeout late.
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(timeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 100)), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var session in sessions.Silent(timeout).ToList())
                {
                    Log.Silent(logger, session.InstanceArn, timeout);
                    sessions.Close(session);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
