using System.Collections.Concurrent;
using System.Threading.Channels;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// The open agent sessions, one per container instance. A newer session for an instance replaces the older one
/// (an agent that reconnected before the control plane noticed the old stream was dead).
/// </summary>
public sealed class AgentSessions(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, AgentSession> sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> disconnectedAt = new(StringComparer.Ordinal);
    private readonly DateTimeOffset startedAt = clock.GetUtcNow();

    /// <summary>Raised when an instance's connectivity changes (argument: instance ARN).</summary>
    public event Action<string>? ConnectivityChanged;

    public AgentSession Open(string instanceArn)
    {
        var session = new AgentSession(instanceArn, clock.GetUtcNow());
        AgentSession? replaced = null;
        sessions.AddOrUpdate(instanceArn, session, (_, old) =>
        {
            replaced = old;
            return session;
        });
        replaced?.Close();
        disconnectedAt.TryRemove(instanceArn, out _);
        ConnectivityChanged?.Invoke(instanceArn);
        return session;
    }

    public void Close(AgentSession session)
    {
        session.Close();
        if (sessions.TryRemove(new KeyValuePair<string, AgentSession>(session.InstanceArn, session)))
        {
            disconnectedAt[session.InstanceArn] = clock.GetUtcNow();
            ConnectivityChanged?.Invoke(session.InstanceArn);
        }
    }

    public bool IsConnected(string instanceArn) => sessions.ContainsKey(instanceArn);

    /// <summary>
    /// How long the instance's agent has been away: since its session ended, or since this control plane started
    /// when it has not connected since. Null while connected.
    /// </summary>
    public TimeSpan? DisconnectedFor(string instanceArn) =>
        sessions.ContainsKey(instanceArn) ? null : clock.GetUtcNow() - disconnectedAt.GetValueOrDefault(instanceArn, startedAt);

    /// <summary>How long this control plane has been running.</summary>
    public TimeSpan Uptime => clock.GetUtcNow() - startedAt;

    /// <summary>Ends the instance's session, if it has one (e.g. the instance was deregistered).</summary>
    public void Disconnect(string instanceArn)
    {
        if (sessions.TryGetValue(instanceArn, out var session))
        {
            Close(session);
        }
    }

    /// <summary>Queues a message for the instance's agent; false when it has no open session.</summary>
    public bool TrySend(string instanceArn, ControlMessage message) =>
        sessions.TryGetValue(instanceArn, out var session) && session.Outgoing.Writer.TryWrite(message);

    /// <summary>Sessions that have not been heard from since <paramref name="cutoff"/>.</summary>
    public IEnumerable<AgentSession> SilentSince(DateTimeOffset cutoff) => sessions.Values.Where(s => s.LastHeardAt < cutoff);
}

/// <summary>One agent's open stream: what to send it, when it was last heard from, and a signal to end it.</summary>
public sealed class AgentSession(string instanceArn, DateTimeOffset openedAt)
{
    private readonly CancellationTokenSource closed = new();
    private long lastHeardTicks = openedAt.UtcTicks;

    public string InstanceArn { get; } = instanceArn;

    public Channel<ControlMessage> Outgoing { get; } = Channel.CreateUnbounded<ControlMessage>(new UnboundedChannelOptions { SingleReader = true });

    public CancellationToken Closed => closed.Token;

    public DateTimeOffset LastHeardAt => new(Interlocked.Read(ref lastHeardTicks), TimeSpan.Zero);

    public void Heard(DateTimeOffset at) => Interlocked.Exchange(ref lastHeardTicks, at.UtcTicks);

    public void Close()
    {
        Outgoing.Writer.TryComplete();
        try
        {
            closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
