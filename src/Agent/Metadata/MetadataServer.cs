using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Stats;
using Orchestrator.Ecs;

namespace Orchestrator.Agent.Metadata;

/// <summary>
/// ECS's task metadata endpoint, v4 and v3 (<c>/v4/{token}</c>, <c>/task</c>, <c>/taskWithTags</c>, <c>/stats</c>,
/// <c>/task/stats</c>). Listens on <see cref="AgentOptions.MetadataPort"/> at 127.0.0.1 (host-mode containers) and at
/// the Docker bridge's gateway (bridge containers); the unguessable token in the path says which container asks, so a
/// container sees only its own task. An unknown token gets ECS's 404 with a JSON string. A port already taken (another
/// agent on the host) leaves the agent running without the endpoint, and its containers without the variables.
/// </summary>
public sealed partial class MetadataServer(
    IDockerDriver docker,
    KnownTasks tasks,
    ContainerMetadata metadata,
    StatsSampler stats,
    IOptions<AgentOptions> options,
    ILogger<MetadataServer> logger) : IHostedService, IAsyncDisposable
{
    private readonly AgentOptions _options = options.Value;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _bridgeAddresses = new(StringComparer.Ordinal);
    private WebApplication? _app;

    /// <summary>The Docker bridge network's gateway, where bridge containers reach the host.</summary>
    public const string BridgeNetwork = "bridge";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.MetadataPort == 0)
        {
            Log.Off(logger);
            return;
        }

        var port = _options.MetadataPort;
        var loopback = new IPEndPoint(IPAddress.Loopback, port);
        IPEndPoint? bridge = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var network = await docker.InspectNetworkAsync(BridgeNetwork, timeout.Token).ConfigureAwait(false);
            if (network?.Subnets.Select(s => s.Gateway).FirstOrDefault(g => IPAddress.TryParse(g, out _)) is { } gateway)
            {
                bridge = new IPEndPoint(IPAddress.Parse(gateway), port);
            }
        }
        catch (Exception e) when (e is DockerOperationException or OperationCanceledException or HttpRequestException or TimeoutException
            || e.GetType().Name.Contains("Docker", StringComparison.Ordinal))
        {
            Log.NoBridge(logger, e.Message);
        }

        foreach (var endpoints in bridge is null ? new[] { new[] { loopback } } : [[loopback, bridge], [loopback]])
        {
            try
            {
                _app = await LocalWebServer.StartAsync(endpoints, Map, cancellationToken).ConfigureAwait(false);
                var bridgeListening = endpoints.Length > 1 ? bridge!.ToString() : null;
                metadata.Listening(loopback.ToString(), bridgeListening, null);
                Log.Listening(logger, string.Join(", ", endpoints.Select(e => e.ToString())));
                return;
            }
            catch (IOException e)
            {
                Log.CannotListen(logger, string.Join(", ", endpoints.Select(e => e.ToString())), e.Message);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        metadata.Listening(null, null, null);
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    private void Map(IEndpointRouteBuilder app)
    {
        foreach (var version in new[] { "v4", "v3" })
        {
            var label = version.ToUpperInvariant();
            app.MapGet($"/{version}/{{token}}", (string token, HttpContext http) => Answer(http, label, "container", token, (t, c) => MetadataViews.Container(t, c)));
            app.MapGet($"/{version}/{{token}}/task", (string token, HttpContext http) => Answer(http, label, "task", token, (t, _) => Task(t)));
            app.MapGet($"/{version}/{{token}}/taskWithTags", (string token, HttpContext http) => Answer(http, label, "task", token, (t, _) =>
            {
                var view = Task(t);
                view["TaskTags"] = new JsonObject();
                view["ContainerInstanceTags"] = new JsonObject();
                return view;
            }));
            app.MapGet($"/{version}/{{token}}/stats", (string token, HttpContext http) => Answer(http, label, "container stats", token,
                (_, c) => MetadataViews.Stats(c.RuntimeId is null ? null : stats.Latest(c.RuntimeId))));
            app.MapGet($"/{version}/{{token}}/task/stats", (string token, HttpContext http) => Answer(http, label, "task stats", token,
                (t, _) => MetadataViews.TaskStats(t, stats.Latest)));
        }
    }

    /// <summary>
    /// Whether the request comes from the container the token belongs to, as far as its network tells: a bridge
    /// container's own bridge address, a host-mode container's loopback. A token that leaked to another container
    /// (or to a guesser on the bridge) is refused like an unknown one.
    /// </summary>
    private async Task<bool> IsCallerAsync(KnownTask task, State.ContainerRecord container, HttpContext http)
    {
        var remote = http.Connection.RemoteIpAddress;
        if (remote is null || container.RuntimeId is null)
        {
            return false;
        }

        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        switch (task.Definition?.EffectiveNetworkMode)
        {
            case Ecs.Model.NetworkModes.Host:
                return IPAddress.IsLoopback(remote);
            case Ecs.Model.NetworkModes.Bridge:
                if (!_bridgeAddresses.TryGetValue(container.RuntimeId, out var address))
                {
                    ContainerInspection? inspection;
                    try
                    {
                        inspection = await docker.InspectContainerAsync(container.RuntimeId, http.RequestAborted).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is DockerOperationException or DockerTimeoutException)
                    {
                        return false;
                    }

                    if (_bridgeAddresses.Count > 4096)
                    {
                        _bridgeAddresses.Clear();
                    }

                    if (inspection?.Networks.GetValueOrDefault(BridgeNetwork)?.Ipv4Address is not { Length: > 0 } found)
                    {
                        return false;
                    }

                    address = _bridgeAddresses[container.RuntimeId] = found;
                }

                return remote.ToString() == address;
            default:
                return false;
        }
    }

    private JsonObject Task(KnownTask task) => MetadataViews.Task(task, Arns.ShortName(_options.Cluster, "cluster"));

    private async Task<IResult> Answer(HttpContext http, string version, string handler, string token, Func<KnownTask, State.ContainerRecord, JsonObject> view)
    {
        if (tasks.ByToken(token) is not { } found || !await IsCallerAsync(found.Task, found.Container, http).ConfigureAwait(false))
        {
            var shown = token.Length <= 64 && token.All(char.IsAsciiLetterOrDigit) ? token : "(not shown)";
            var message = $"{version} {handler} metadata handler: unable to get container ID from request: unable to get docker ID from v3 endpoint ID: {shown}";
            return Results.Text(JsonValue.Create(message).ToJsonString(), "application/json", statusCode: StatusCodes.Status404NotFound);
        }

        return Results.Text(view(found.Task, found.Container).ToJsonString(), "application/json");
    }
}
