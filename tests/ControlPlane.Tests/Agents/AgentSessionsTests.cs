using Microsoft.Extensions.Time.Testing;
using Orchestrator.ControlPlane.Agents;

namespace Orchestrator.ControlPlane.Tests.Agents;

/// <summary>Which session holds an instance, on a fake clock: the live one keeps it, a stale one gives way.</summary>
public sealed class AgentSessionsTests
{
    private const string Arn = "arn:aws:ecs:us-east-1:123456789012:container-instance/default/0123456789abcdef0123456789abcdef";
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData(0, false)]
    [InlineData(2_999, false)] // heard within its heartbeat interval plus the grace: live
    [InlineData(3_000, false)]
    [InlineData(3_001, true)] // silent for longer: stale, as an agent that died without its stream being noticed
    public void TryOpen_SecondSessionForAnInstance_ReplacesTheFirstOnlyOnceItIsStale(int silentMilliseconds, bool replaced)
    {
        var clock = new FakeTimeProvider();
        var sessions = new AgentSessions(clock);
        var first = sessions.TryOpen(Arn, Heartbeat, out _)!;
        clock.Advance(TimeSpan.FromSeconds(5));
        first.Heard(clock.GetUtcNow());
        clock.Advance(TimeSpan.FromMilliseconds(silentMilliseconds));

        var second = sessions.TryOpen(Arn, Heartbeat, out var current);

        Assert.Equal(replaced, second is not null);
        Assert.Equal(replaced, first.Closed.IsCancellationRequested);
        Assert.Same(first, current);
        Assert.True(sessions.IsConnected(Arn));
        Assert.Equal(1, sessions.TrackedInstances);
    }

    [Fact]
    public void TryOpen_AfterTheSessionClosed_OpensAtOnce()
    {
        var clock = new FakeTimeProvider();
        var sessions = new AgentSessions(clock);
        sessions.Close(sessions.TryOpen(Arn, Heartbeat, out _)!);

        Assert.NotNull(sessions.TryOpen(Arn, Heartbeat, out _));
    }

    [Fact]
    public void Disconnect_DeregisteredInstance_IsForgotten()
    {
        var sessions = new AgentSessions(new FakeTimeProvider());
        var session = sessions.TryOpen(Arn, Heartbeat, out _)!;
        sessions.Close(session);
        Assert.Equal(1, sessions.TrackedInstances); // its disconnection is remembered, for the lost-instance check

        sessions.Disconnect(Arn);

        Assert.Equal(0, sessions.TrackedInstances);
    }
}
