using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Security;

namespace Orchestrator.Agent.Tests.Support;

/// <summary>
/// The agent as Program.cs builds it (<see cref="AgentServiceCollectionExtensions.AddAgent"/> from configuration
/// keys), over a fake Docker, with every log line captured.
/// </summary>
internal sealed class SecureAgentHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private SecureAgentHost(IHost host, CapturedLogs logs)
    {
        _host = host;
        Logs = logs;
    }

    public CapturedLogs Logs { get; }

    public AgentExit Exit => _host.Services.GetRequiredService<AgentExit>();

    public IServiceProvider Services => _host.Services;

    /// <param name="settings">Agent settings by key without the section (Endpoint, DataDir, ActivationCode …).</param>
    public static SecureAgentHost Create(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var values = new Dictionary<string, string?>
        {
            ["Agent:GpuProbe"] = "false",
            ["Agent:PortBindCheck"] = "false",
            ["Agent:DynamicPortRange"] = "32768-60999",
            ["Agent:HeartbeatInterval"] = "00:00:00.200",
            ["Agent:ReconnectInitialDelay"] = "00:00:00.050",
            ["Agent:ReconnectMaxDelay"] = "00:00:00.500",
            ["Agent:CertificateRenewalMaxDelay"] = "00:00:02",
        };
        foreach (var (key, value) in settings)
        {
            values[$"Agent:{key}"] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        builder.Services.AddAgent(builder.Configuration);
        builder.Services.AddSingleton<IDockerDriver>(new FakeDockerDriver());
        return new SecureAgentHost(builder.Build(), logs);
    }

    public static async Task<SecureAgentHost> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var agent = Create(settings);
        await agent._host.StartAsync(TestContext.Current.CancellationToken);
        return agent;
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? StoreWaits.DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"Timed out after {limit} waiting for {what}.");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}

/// <summary>Every log line (message and exception) the agent writes, at every level.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Text)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public bool Any(LogLevel level, string contains) =>
        Lines.Any(l => l.Level == level && l.Text.Contains(contains, StringComparison.Ordinal));

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                // The structured values too, in case a sink writes them apart from the message.
                text += " | " + string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"));
            }

            owner.Lines.Enqueue((logLevel, category, exception is null ? text : $"{text} {exception}"));
        }
    }
}
