namespace Orchestrator.Agent.Tests;

public sealed class BackoffTests
{
    [Fact]
    public void Next_NoJitter_GrowsByMultiplierUpToMax()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), 1.5, 0);

        var delays = Enumerable.Range(0, 6).Select(_ => backoff.Next().TotalMilliseconds).ToList();

        Assert.Equal([250, 375, 562.5, 843.75, 1000, 1000], delays);
    }

    [Fact]
    public void Next_WithJitter_WithinTwentyPercentAndNeverAboveMax()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30), 1.5, 0.2, new Random(42));
        var expected = 250.0;

        for (var i = 0; i < 40; i++)
        {
            var delay = backoff.Next().TotalMilliseconds;
            Assert.InRange(delay, expected * 0.8, Math.Min(expected * 1.2, 30_000));
            expected = Math.Min(expected * 1.5, 30_000);
        }
    }

    [Fact]
    public void Reset_AfterGrowth_StartsAgain()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 2, 0);
        backoff.Next();
        backoff.Next();

        backoff.Reset();

        Assert.Equal(TimeSpan.FromMilliseconds(100), backoff.Next());
    }
}
