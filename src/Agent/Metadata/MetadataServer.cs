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
/// agent on the host) leaves the agent running without the endpoint, and its containers without the variables. Each
/// source address may make 40 requests a second (bursts of 60), as ECS allows; beyond, 429.
/// </summary>
public sealed partial class MetadataServer(
    IDockerDriver docker,
    KnownTasks tasks,
    ContainerMetadata metadata,
    StatsSampler stats,
    IOptions<AgentOptions> options,
    ILogger<MetadataServer> logger,
    TaskRoleCredentials? roleCredentials = null,
    CredentialsRedirect? redirect = null) : IHostedService, IAsyncDisposable
{
    private readonly AgentOptions _options = options.Value;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _bridgeAddresses = new(StringComparer.Ordinal);
    private WebApplication? _app;

    /// <summary>The Docker bridge network's gateway, where bridge containers reach the host.</summary>
    public const string BridgeNetwork = "bridge";

    /// <summary>
    /// The network awsvpc tasks reach the endpoint on, as ECS's <c>ecs-bridge</c>: a second interface in the task's
    /// namespace (its macvlan interface cannot reach its own host), on an internal bridge (no default route, nothing
    /// leaves it) where tasks cannot reach each other (inter-container traffic off).
    /// </summary>
    public const string AwsvpcNetwork = "orch-metadata";

    public const string AwsvpcSubnet = "169.254.172.0/22";

    public const string AwsvpcGateway = "169.254.172.1";

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
            if (network is not null && BridgeGateway.Find(network) is { } gateway)
            {
                bridge = new IPEndPoint(gateway, port);
            }
            else
            {
                Log.NoBridge(logger, network is null ? $"there is no Docker network '{BridgeNetwork}'" : $"the Docker network '{BridgeNetwork}' names no IPv4 gateway or subnet");
            }
        }
        catch (Exception e) when (e is DockerOperationException or OperationCanceledException or HttpRequestException or TimeoutException
            || e.GetType().Name.Contains("Docker", StringComparison.Ordinal))
        {
            Log.NoBridge(logger, e.Message);
        }

        var awsvpc = _options.AwsvpcEnabled && await EnsureAwsvpcNetworkAsync(cancellationToken).ConfigureAwait(false)
            ? new IPEndPoint(IPAddress.Parse(AwsvpcGateway), port)
            : null;
        var full = new[] { loopback, bridge, awsvpc }.OfType<IPEndPoint>().ToArray();
        foreach (var endpoints in new[] { full, [loopback] }.DistinctBy(e => e.Length))
        {
            try
            {
                _app = await LocalWebServer.StartAsync(endpoints, Map, cancellationToken, rateLimited: true).ConfigureAwait(false);
                metadata.Listening(
                    loopback.ToString(),
                    bridge is not null && endpoints.Contains(bridge) ? bridge.ToString() : null,
                    awsvpc is not null && endpoints.Contains(awsvpc) ? awsvpc.ToString() : null,
                    AwsvpcNetwork);
                Log.Listening(logger, string.Join(", ", endpoints.Select(e => e.ToString())));
                if (roleCredentials is not null && redirect is not null && OperatingSystem.IsLinux() && _options.TaskRoleRedirect)
                {
                    var rules = CredentialsRedirect.Rules(bridge is not null && endpoints.Contains(bridge) ? bridge.Address.ToString() : null, port);
                    roleCredentials.FirstKeys += () => redirect.Install(rules);
                    if (roleCredentials.Count > 0)
                    {
                        redirect.Install(rules);
                    }
                }

                return;
            }
            catch (IOException e)
            {
                Log.CannotListen(logger, string.Join(", ", endpoints.Select(e => e.ToString())), e.Message);
            }
        }
    }

    private async Task<bool> EnsureAwsvpcNetworkAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            var existing = await docker.InspectNetworkAsync(AwsvpcNetwork, timeout.Token).ConfigureAwait(false);
            if (existing is null)
            {
                await docker.CreateNetworkAsync(new NetworkSpec
                {
                    Name = AwsvpcNetwork,
                    Driver = "bridge",
                    Internal = true,
                    Options = new Dictionary<string, string>
                    {
                        ["com.docker.network.bridge.enable_icc"] = "false",
                        ["com.docker.network.bridge.name"] = "orch-metadata",
                    },
                    Subnets = [new NetworkSubnet(AwsvpcSubnet, AwsvpcGateway)],
                }, timeout.Token).ConfigureAwait(false);
                return true;
            }

            if (existing.Subnets.Any(s => s.Gateway == AwsvpcGateway))
            {
                return true;
            }

            Log.NoAwsvpc(logger, $"the Docker network {AwsvpcNetwork} exists without the gateway {AwsvpcGateway}; remove it (docker network rm {AwsvpcNetwork})");
            return false;
        }
        catch (Exception e) when (e is DockerOperationException or DockerTimeoutException or OperationCanceledException)
        {
            Log.NoAwsvpc(logger, e.Message);
            return false;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        metadata.Listening(null, null, null);
        redirect?.Remove();
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
        // ECS's credentials endpoint (task roles): /v2/credentials/ID, and the older /v1/credentials?id=ID.
        app.MapGet("/v2/credentials/{id}", (string id, HttpContext http) => Credentials(http, id));
        app.MapGet("/v2/credentials", () => CredentialsError(StatusCodes.Status400BadRequest, "NoIdInRequest", "CredentialsV2Request: No Credential ID in the request"));
        app.MapGet("/v1/credentials", (string? id, HttpContext http) => id is { Length: > 0 }
            ? Credentials(http, id)
            : System.Threading.Tasks.Task.FromResult(CredentialsError(StatusCodes.Status400BadRequest, "NoIdInRequest", "CredentialsV1Request: No Credential ID in the request")));

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
                return await HasAddressAsync(container.RuntimeId, BridgeNetwork, remote, http.RequestAborted).ConfigureAwait(false);
            case Ecs.Model.NetworkModes.Awsvpc:
                // Every container of the task is in its pause container's namespace: the pause container's address.
                return task.Record.Containers.FirstOrDefault(c => Awsvpc.AwsvpcTask.IsPause(c.Name))?.RuntimeId is { } pause
                    && await HasAddressAsync(pause, AwsvpcNetwork, remote, http.RequestAborted).ConfigureAwait(false);
            default:
                return false;
        }
    }

    private async Task<bool> HasAddressAsync(string containerId, string network, IPAddress remote, CancellationToken cancellationToken)
    {
        var key = containerId + "/" + network;
        if (!_bridgeAddresses.TryGetValue(key, out var address))
        {
            ContainerInspection? inspection;
            try
            {
                inspection = await docker.InspectContainerAsync(containerId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DockerOperationException or DockerTimeoutException)
            {
                return false;
            }

            if (_bridgeAddresses.Count > 4096)
            {
                _bridgeAddresses.Clear();
            }

            if (inspection?.Networks.GetValueOrDefault(network)?.Ipv4Address is not { Length: > 0 } found)
            {
                return false;
            }

            address = _bridgeAddresses[key] = found;
        }

        return remote.ToString() == address;
    }

    /// <summary>
    /// A task's role keys in ECS's shape, only for a known, not stopped task whose container asks from its own address
    /// (so an ID that leaked to another container is refused like an unknown one). Neither the request nor the answer is
    /// logged.
    /// </summary>
    private async Task<IResult> Credentials(HttpContext http, string id)
    {
        var notFound = CredentialsError(StatusCodes.Status400BadRequest, "InvalidIdInRequest", "CredentialsV2Request: Credentials not found");
        if (roleCredentials?.ById(id) is not { } keys || tasks.ByArn(keys.TaskArn) is not { } task
            || task.Record.DesiredStatus == State.LifecycleStatus.Stopped || task.Record.KnownStatus == State.LifecycleStatus.Stopped)
        {
            return notFound;
        }

        foreach (var container in task.Record.Containers)
        {
            if (await IsCallerAsync(task, container, http).ConfigureAwait(false))
            {
                var answer = new JsonObject
                {
                    ["RoleArn"] = keys.RoleArn,
                    ["AccessKeyId"] = keys.AccessKeyId,
                    ["SecretAccessKey"] = keys.SecretAccessKey,
                    ["Token"] = keys.Token,
                    ["Expiration"] = keys.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                };
                return Results.Text(answer.ToJsonString(), "application/json");
            }
        }

        return notFound;
    }

    private static IResult CredentialsError(int status, string code, string message) =>
        Results.Text(new JsonObject { ["code"] = code, ["message"] = message }.ToJsonString(), "application/json", statusCode: status);

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
