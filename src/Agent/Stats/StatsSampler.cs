using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.State;

namespace Orchestrator.Agent.Stats;

/// <summary>One container's latest sample (as ECS serves it) and its figures.</summary>
public sealed record ContainerStats(string TaskArn, string ContainerName, JsonObject Sample, StatsSummary Summary);

/// <summary>
/// Samples the Docker stats of every running container of the agent's tasks, one one-shot sample each per round
/// (<see cref="AgentOptions.StatsInterval"/> apart, a few containers at a time), and keeps the latest. One-shot
/// samples cost Docker one cgroup read each, where a stream per container would hold a connection and a goroutine
/// sampling every second; bench/StatsCost measures what it costs the agent. Off with
/// <see cref="AgentOptions.StatsEnabled"/>.
/// </summary>
public sealed partial class StatsSampler : BackgroundService
{
    private const int Parallelism = 4;

    private readonly AgentStore _store;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<StatsSampler> _logger;
    private readonly ConcurrentDictionary<string, ContainerStats> _latest = new(StringComparer.Ordinal);

    public StatsSampler(AgentStore store, IOptions<AgentOptions> options, TimeProvider time, ILogger<StatsSampler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public bool Enabled => _options.StatsEnabled;

    /// <summary>How many rounds have finished (for tests and the benchmark).</summary>
    public int Rounds { get; private set; }

    /// <summary>The latest sample of a container by Docker ID, null when there is none (yet, or sampling is off).</summary>
    public ContainerStats? Latest(string dockerId) => _latest.GetValueOrDefault(dockerId);

    /// <summary>Every container's latest sample (for the telemetry gauges).</summary>
    public IEnumerable<ContainerStats> AllLatest() => _latest.Values;

    /// <summary>The figures of a task: its containers' latest samples summed.</summary>
    public StatsSummary TaskSummary(IEnumerable<string> dockerIds) =>
        dockerIds.Select(Latest).Where(s => s is not null).Aggregate(StatsSummary.Empty, (sum, s) => sum.Add(s!.Summary));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.StatsEnabled)
        {
            Log.StatsOff(_logger);
            return;
        }

        using var client = new DockerStatsClient(_options.DockerHost, TimeSpan.FromSeconds(10));
        var streams = new Dictionary<string, (CancellationTokenSource Stop, Task Reading)>(StringComparer.Ordinal);
        try
        {
            await LoopAsync(client, streams, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (stop, reading) in streams.Values)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                stop.Dispose();
            }
        }
    }

    private async Task LoopAsync(DockerStatsClient client, Dictionary<string, (CancellationTokenSource Stop, Task Reading)> streams, CancellationToken stoppingToken)
    {
        var streaming = _options.StatsMode == "stream";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (streaming)
                {
                    await ReconcileStreamsAsync(client, streams, stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    await SampleRoundAsync(client, stoppingToken).ConfigureAwait(false);
                }

                Rounds++;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a failed round is logged and the next one tried; the sampler must not stop the agent
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.RoundFailed(_logger, e.Message);
            }

            try
            {
                await Task.Delay(_options.StatsInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private List<(string Task, string Container, string Id)> Running() => [.. _store.LoadTasks()
        .SelectMany(t => t.Containers.Where(c => c.KnownStatus == LifecycleStatus.Running && c.RuntimeId is not null)
            .Select(c => (Task: t.TaskArn, Container: c.Name, Id: c.RuntimeId!)))];

    /// <summary>A stream for every running container, none for the others; a stream that ended is started again.</summary>
    private async Task ReconcileStreamsAsync(DockerStatsClient client, Dictionary<string, (CancellationTokenSource Stop, Task Reading)> streams, CancellationToken cancellationToken)
    {
        var running = Running();
        foreach (var (id, (stop, reading)) in streams.Where(s => s.Value.Reading.IsCompleted || !running.Any(r => r.Id == s.Key)).ToList())
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            stop.Dispose();
            streams.Remove(id);
            if (!running.Any(r => r.Id == id))
            {
                _latest.TryRemove(id, out _);
            }
        }

        foreach (var container in running.Where(r => !streams.ContainsKey(r.Id)))
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            streams[container.Id] = (stop, Task.Run(() => ReadStreamAsync(client, container, stop.Token), CancellationToken.None));
        }
    }

    private async Task ReadStreamAsync(DockerStatsClient client, (string Task, string Container, string Id) container, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var sample in client.StreamAsync(container.Id, cancellationToken).ConfigureAwait(false))
            {
                // Docker's stream fills precpu_stats itself; only the network rates come from the previous sample.
                var previous = _latest.GetValueOrDefault(container.Id)?.Sample;
                var completed = StatsMath.Complete(sample, previous);
                completed["precpu_stats"] = sample["precpu_stats"]?.DeepClone();
                completed["preread"] = sample["preread"]?.DeepClone();
                _latest[container.Id] = new ContainerStats(container.Task, container.Container, completed, StatsMath.Summarize(completed));
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Text.Json.JsonException)
        {
            Log.SampleFailed(_logger, container.Id, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task SampleRoundAsync(DockerStatsClient client, CancellationToken cancellationToken)
    {
        var running = Running();
        foreach (var gone in _latest.Keys.Except(running.Select(r => r.Id), StringComparer.Ordinal).ToList())
        {
            _latest.TryRemove(gone, out _);
        }

        await Parallel.ForEachAsync(running, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (container, token) =>
            {
                try
                {
                    var sample = await client.SampleAsync(container.Id, token).ConfigureAwait(false);
                    if (sample is null)
                    {
                        _latest.TryRemove(container.Id, out _);
                        return;
                    }

                    var completed = StatsMath.Complete(sample, _latest.GetValueOrDefault(container.Id)?.Sample);
                    _latest[container.Id] = new ContainerStats(container.Task, container.Container, completed, StatsMath.Summarize(completed));
                }
                catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException || (e is TaskCanceledException && !token.IsCancellationRequested))
                {
                    Log.SampleFailed(_logger, container.Id, e.Message);
                }
            }).ConfigureAwait(false);
    }
}
