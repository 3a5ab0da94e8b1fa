using System.Collections.Concurrent;
using System.Threading.Channels;
using Orchestrator.Contracts.Agent;

using Orchestrator.ControlPlane.Tasks;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// The open agent sessions, one per container instance. A newer session for an instance replaces the older one
/// (an agent that reconnected before the control plane noticed the old stream was dead).
/// </summary>
public sealed class AgentSessions(TimeProvider clock) : IAgentConnections
{
    private readonly ConcurrentDictionary<string, AgentSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _disconnectedAt = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();

    /// <summary>Raised when an instance's connectivity changes (argument: instance ARN).</summary>
    public event Action<string>? ConnectivityChanged;

    public AgentSession Open(string instanceArn)
    {
        var session = new AgentSession(instanceArn, clock.GetUtcNow());
        AgentSession? replaced = null;
        _sessions.AddOrUpdate(instanceArn, session, (_, old) =>
        {
            replaced = old;
            return session;
        });
        replaced?.Close();
        _disconnectedAt.TryRemove(instanceArn, out _);
        ConnectivityChanged?.Invoke(instanceArn);
        return session;
    }

    public void Close(AgentSession session)
    {
        session.Close();
        if (_sessions.TryRemove(new KeyValuePair<string, AgentSession>(session.InstanceArn, session)))
        {
            _disconnectedAt[session.InstanceArn] = clock.GetUtcNow();
            ConnectivityChanged?.Invoke(session.InstanceArn);
        }
    }

    public bool IsConnected(string instanceArn) => _sessions.ContainsKey(instanceArn);

    /// <summary>Connected, and its agent can reach its container runtime: the instance may take tasks.</summary>
    public bool IsAvailable(string instanceArn) =>
        _sessions.TryGetValue(instanceArn, out var session) && session.Runtime != RuntimeHealth.Impaired;

    /// <summary>Whether the runtime health the instance's agent last reported is impaired; null when it is not connected.</summary>
    public (bool Impaired, DateTimeOffset Since)? RuntimeOf(string instanceArn) =>
        _sessions.TryGetValue(instanceArn, out var session) ? (session.Runtime == RuntimeHealth.Impaired, session.RuntimeSince) : null;

    /// <summary>The agent reported its runtime health; a change makes the instance (un)available for placement.</summary>
    public void ReportRuntime(AgentSession session, RuntimeHealth health)
    {
        if (session.SetRuntime(health, clock.GetUtcNow()))
        {
            ConnectivityChanged?.Invoke(session.InstanceArn);
        }
    }

    /// <summary>
    /// How long the instance's agent has been away: since its session ended, or since this control plane started
    /// when it has not connected since. Null while connected.
    /// </summary>
    public TimeSpan? DisconnectedFor(string instanceArn) =>
        _sessions.ContainsKey(instanceArn) ? null : clock.GetUtcNow() - _disconnectedAt.GetValueOrDefault(instanceArn, _startedAt);

    /// <summary>How long this control plane has been running.</summary>
    public TimeSpan Uptime => clock.GetUtcNow() - _startedAt;

    /// <summary>Ends the instance's session, if it has one (e.g. the instance was deregistered).</summary>
    public void Disconnect(string instanceArn)
    {
        if (_sessions.TryGetValue(instanceArn, out var session))
        {
            Close(session);
        }
    }

    /// <summary>Queues a message for the instance's agent; false when it has no open session.</summary>
    public bool TrySend(string instanceArn, ControlMessage message) =>
        _sessions.TryGetValue(instanceArn, out var session) && session.Outgoing.Writer.TryWrite(message);

    /// <summary>
    /// Sessions silent for longer than <paramref name="timeout"/> — or, for an agent that heartbeats slowly, for longer
    /// than 2.5 of its heartbeat intervals, so that one late heartbeat never ends a healthy session.
    /// </summary>
    public IEnumerable<AgentSession> Silent(TimeSpan timeout)
    {
        var now = clock.GetUtcNow();
        return _sessions.Values.Where(s => now - s.LastHeardAt > (s.HeartbeatInterval * 2.5 > timeout ? s.HeartbeatInterval * 2.5 : timeout));
    }
}

/// <summary>One agent's open stream: what to send it, when it was last heard from, and a signal to end it.</summary>
public sealed class AgentSession(string instanceArn, DateTimeOffset openedAt)
{
    private readonly CancellationTokenSource _closed = new();
    private readonly Lock _gate = new();
    private long _lastHeardTicks = openedAt.UtcTicks;

    public string InstanceArn { get; } = instanceArn;

    public Channel<ControlMessage> Outgoing { get; } = Channel.CreateUnbounded<ControlMessage>(new UnboundedChannelOptions { SingleReader = true });

    public CancellationToken Closed => _closed.Token;

    public DateTimeOffset LastHeardAt => new(Interlocked.Read(ref _lastHeardTicks), TimeSpan.Zero);

    /// <summary>The agent's heartbeat interval, from its hello (zero when it did not say).</summary>
    public TimeSpan HeartbeatInterval { get; set; }

    public RuntimeHealth Runtime { get; private set; }

    public DateTimeOffset RuntimeSince { get; private set; } = openedAt;

    /// <summary>Records the reported runtime health; true when it changed.</summary>
    public bool SetRuntime(RuntimeHealth health, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (Runtime == health)
            {
                return false;
            }

            Runtime = health;
            RuntimeSince = at;
            return true;
        }
    }

    public void Heard(DateTimeOffset at) => Interlocked.Exchange(ref _lastHeardTicks, at.UtcTicks);

    public void Close()
    {
        Outgoing.Writer.TryComplete();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
