using System.Text;
using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Tests.Docker;

/// <summary>How Docker's log lines, times and errors are read for <c>orch task logs</c>.</summary>
public sealed class DockerStreamsTests
{
    [Fact]
    public void Parse_LineWithDockersNanosecondTimestamp_SplitsTimeAndText()
    {
        var line = DockerStreams.Parse(2, Encoding.UTF8.GetBytes("2026-12-06T15:04:05.123456789Z hello world\n"));

        Assert.Equal(2, line.Fd);
        Assert.Equal("hello world\n", Encoding.UTF8.GetString(line.Data));
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 15, 4, 5, TimeSpan.Zero).AddTicks(1234567), line.Time);
    }

    [Theory]
    [InlineData("no timestamp here\n")]
    [InlineData("2026-13-45T99:00:00Z not a time\n")]
    [InlineData("\n")]
    public void Parse_LineWithoutATimestamp_KeepsItWhole(string text)
    {
        var line = DockerStreams.Parse(1, Encoding.UTF8.GetBytes(text));

        Assert.Null(line.Time);
        Assert.Equal(text, Encoding.UTF8.GetString(line.Data));
    }

    [Fact]
    public void UnixTime_IsSecondsDotNanoseconds_AsDockersSinceFilterReadsIt()
    {
        var time = DateTimeOffset.UnixEpoch.AddSeconds(1_765_000_000).AddTicks(1234567);

        Assert.Equal("1765000000.123456700", DockerStreams.UnixTime(time));
    }

    [Theory]
    [InlineData("""{"message":"configured logging driver does not support reading"}""", "configured logging driver does not support reading")]
    [InlineData("plain text\n", "plain text")]
    [InlineData(null, "")]
    public void DockerMessage_TakesTheMessageOfDockersErrorDocument(string? body, string expected) =>
        Assert.Equal(expected, DockerStreams.DockerMessage(body));
}
