namespace Orchestrator.Cli.Tests;

public sealed class DurationTests
{
    public static TheoryData<string, TimeSpan> Valid => new()
    {
        { "90s", TimeSpan.FromSeconds(90) },
        { "5m", TimeSpan.FromMinutes(5) },
        { "1h30m", TimeSpan.FromMinutes(90) },
        { "500ms", TimeSpan.FromMilliseconds(500) },
        { "1.5m", TimeSpan.FromSeconds(90) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryParse_ValidDuration_ReturnsIt(string text, TimeSpan expected)
    {
        Assert.True(Duration.TryParse(text, out var duration));
        Assert.Equal(expected, duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5 minutes")]
    [InlineData("m5")]
    [InlineData("-5m")]
    public void TryParse_NotADuration_ReturnsFalse(string text) => Assert.False(Duration.TryParse(text, out _));

    [Theory]
    [InlineData(300, "5m")]
    [InlineData(5400, "1h30m")]
    [InlineData(90, "1m30s")]
    [InlineData(0.25, "250ms")]
    public void Format_Duration_ReadsLikeTheInput(double seconds, string expected) =>
        Assert.Equal(expected, Duration.Format(TimeSpan.FromSeconds(seconds)));
}
