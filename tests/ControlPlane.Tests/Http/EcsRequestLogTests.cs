using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.ControlPlane.Http;
using Orchestrator.ControlPlane.Security;

namespace Orchestrator.ControlPlane.Tests.Http;

/// <summary>Refused requests are logged at Information, cut, and at most so many lines per window per remote address.</summary>
public sealed class EcsRequestLogTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingLogger _logger = new();

    [Fact]
    public void Refused_ManyFromOneAddress_LogsAtMostTheBudgetThenTheCount()
    {
        var log = new EcsRequestLog(_logger, _clock);

        for (var i = 0; i < 1000; i++)
        {
            log.Refused("10.0.0.1", "CreateCluster", "ClientException", "Unknown parameter x.", "r");
        }

        log.Refused("10.0.0.2", "CreateCluster", "ClientException", "Unknown parameter x.", "r");
        _clock.Advance(EcsRequestLog.Window);
        log.Refused("10.0.0.1", "CreateCluster", "ClientException", "Unknown parameter x.", "r");

        Assert.Equal(EcsRequestLog.LinesPerWindow + 3, _logger.Lines.Count);
        Assert.All(_logger.Lines, l => Assert.Equal(LogLevel.Information, l.Level));
        Assert.Contains(_logger.Lines, l => l.Message.StartsWith("980 more refused or failed ECS API requests from 10.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public void Refused_HugeValues_AreLoggedCut()
    {
        var log = new EcsRequestLog(_logger, _clock);
        var huge = new string('v', 100_000);

        log.Refused("10.0.0.1", huge, "ClientException", huge, "r");

        var line = Assert.Single(_logger.Lines);
        Assert.True(line.Message.Length < 512, $"{line.Message.Length} characters");
    }

    private sealed class RecordingLogger : ILogger<EcsRequestLog>
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
