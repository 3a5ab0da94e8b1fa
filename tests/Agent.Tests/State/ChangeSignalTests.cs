using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.State;

namespace Orchestrator.Agent.Tests.State;

/// <summary>The session loop's wait: woken by a change, by its timeout (the next heartbeat), or ended by cancellation.</summary>
public sealed class ChangeSignalTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Wait_EndsQuietlyAtItsTimeout_WithoutAnException()
    {
        var signal = new ChangeSignal();
        var time = new FakeTimeProvider();
        var first = FirstChanceExceptions.Count();

        var wait = signal.WaitAsync(signal.Version, TimeSpan.FromSeconds(2), time, Token);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal(first, FirstChanceExceptions.Count());
    }

    [Fact]
    public async Task Wait_EndsAtAChange_BeforeItsTimeout()
    {
        var signal = new ChangeSignal();
        var wait = signal.WaitAsync(signal.Version, TimeSpan.FromHours(1), new FakeTimeProvider(), Token);
        Assert.False(wait.IsCompleted);

        signal.Fire();

        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.True(wait.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Wait_ForAnOldVersion_ReturnsAtOnce()
    {
        var signal = new ChangeSignal();
        var seen = signal.Version;
        signal.Fire();

        await signal.WaitAsync(seen, TimeSpan.FromHours(1), new FakeTimeProvider(), Token).WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [Fact]
    public async Task Wait_Cancelled_Throws()
    {
        var signal = new ChangeSignal();
        using var cancel = new CancellationTokenSource();
        var wait = signal.WaitAsync(signal.Version, TimeSpan.FromHours(1), new FakeTimeProvider(), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(10), Token));
    }

    /// <summary>Counts exceptions thrown anywhere in the process after it is first read; other tests may add some.</summary>
    private static class FirstChanceExceptions
    {
        private static int _count;
        private static readonly AsyncLocal<bool> Mine = new();

        static FirstChanceExceptions() =>
            AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
            {
                if (Mine.Value && e.Exception is TimeoutException)
                {
                    Interlocked.Increment(ref _count);
                }
            };

        public static int Count()
        {
            Mine.Value = true;
            return Volatile.Read(ref _count);
        }
    }
}
