using System.Collections.Concurrent;
using System.Threading.Channels;
using Orchestrator.Contracts.Agent;

using Orchestrator.ControlPlane.Tasks;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// The open agent sessions, one per container instance. A newer session for an instance replaces the older one only
/// once the older has gone stale: an agent that restarted reconnects before the control plane notices its old stream
/// is dead, but a live agent's session is never taken over by a second caller naming its instance. Only instances that
/// passed the hello's checks (registered, active) ever get an entry here, and a deregistered instance's is dropped.
/// </summary>
public sealed class AgentSessions(TimeProvider clock) : IAgentConnections
{
    /// <summary>
    /// How long past its heartbeat interval a session may be silent and still count as live, so that a heartbeat a
    /// little late does not hand the instance to another caller.
    /// </summary>
    public static readonly TimeSpan StaleGrace = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, AgentSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _disconnectedAt = new(StringComparer.Ordinal);
    private DateTimeOffset _startedAt = clock.GetUtcNow();

    /// <summary>
    /// Counts <see cref="Uptime"/> (and never-seen instances' absence) from now: this control plane just became the leader
    /// of several, and agents need their moment to find it as after a restart.
    /// </summary>
    public void Restart() => _startedAt = clock.GetUtcNow();

    /// <summary>Raised when an instance's connectivity changes (argument: instance ARN).</summary>
    public event Action<string>? ConnectivityChanged;

    /// <summary>How many instances this holds anything for (open sessions and remembered disconnections).</summary>
    public int TrackedInstances
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Keys.Union(_disconnectedAt.Keys, StringComparer.Ordinal).Count();
            }
        }
    }

    /// <summary>Opens a session for an instance; one that still holds a live session is refused (see <see cref="TryOpen"/>).</summary>
    public AgentSession Open(string instanceArn) =>
        TryOpen(instanceArn, TimeSpan.Zero, out var current) ?? throw new InvalidOperationException(
            $"{instanceArn} has a live session, last heard {current!.LastHeardAt:O}.");

    /// <summary>
    /// Opens a session for an instance whose agent heartbeats every <paramref name="heartbeatInterval"/>, replacing
    /// (and closing) a stale one. Null when the instance's current session is live — heard from within its heartbeat
    /// interval plus <see cref="StaleGrace"/> —, with that session as <paramref name="current"/>.
    /// </summary>
    public AgentSession? TryOpen(string instanceArn, TimeSpan heartbeatInterval, out AgentSession? current)
    {
        var now = clock.GetUtcNow();
        var session = new AgentSession(instanceArn, now) { HeartbeatInterval = heartbeatInterval };
        lock (_gate)
        {
            if (_sessions.TryGetValue(instanceArn, out current) && IsLive(current, now))
            {
                return null;
            }

            _sessions[instanceArn] = session;
            _disconnectedAt.TryRemove(instanceArn, out _);
        }

        current?.Close();
        ConnectivityChanged?.Invoke(instanceArn);
        return session;
    }

    /// <summary>Whether a session was heard from within its heartbeat interval plus <see cref="StaleGrace"/>.</summary>
    public bool IsLive(AgentSession session, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(session);
        return !session.Closed.IsCancellationRequested && now - session.LastHeardAt <= session.HeartbeatInterval + StaleGrace;
    }

    public void Close(AgentSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.Close();
        bool removed;
        lock (_gate)
        {
            removed = _sessions.TryRemove(new KeyValuePair<string, AgentSession>(session.InstanceArn, session));
            if (removed)
            {
                _disconnectedAt[session.InstanceArn] = clock.GetUtcNow();
            }
        }

        if (removed)
        {
            ConnectivityChanged?.Invoke(session.InstanceArn);
        }
    }

    /// <summary>The open sessions (for the telemetry gauges).</summary>
    public IEnumerable<AgentSession> OpenSessions => _sessions.Values;

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

    /// <summary>Ends the instance's session, if it has one, and forgets the instance: it was deregistered.</summary>
    public void Disconnect(string instanceArn)
    {
        if (_sessions.TryGetValue(instanceArn, out var session))
        {
            Close(session);
        }

        lock (_gate)
        {
            _disconnectedAt.TryRemove(instanceArn, out _);
        }
    }

    public InstanceUsageReport? UsageOf(string instanceArn) => _sessions.TryGetValue(instanceArn, out var session) ? session.Usage : null;

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

    /// <summary>The agent's heartbeat interval, from its hello (zero for sessions opened without one, in tests).</summary>
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

    /// <summary>What the instance's containers use, from its agent's latest heartbeat that said (null before one did).</summary>
    public InstanceUsageReport? Usage { get; set; }

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
