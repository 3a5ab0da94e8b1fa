using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Metadata;
using Orchestrator.Agent.Registration;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Stats;
using Orchestrator.Ecs;
using OpenTelemetry.Metrics;

namespace Orchestrator.Agent.Introspection;

/// <summary>
/// ECS's agent introspection API on <see cref="AgentOptions.IntrospectionEndpoint"/> (127.0.0.1:51678 by default,
/// loopback like ECS's; it has no authentication): <c>/v1/metadata</c>, <c>/v1/tasks</c> (<c>?taskarn=</c>,
/// <c>?dockerid=</c>), and this agent's <c>/v1/stats</c>. A port already taken leaves the agent running without it.
/// </summary>
public sealed partial class IntrospectionServer(
    KnownTasks tasks,
    AgentStore store,
    StatsSampler stats,
    IOptions<AgentOptions> options,
    ILogger<IntrospectionServer> logger,
    MeterProvider? meters = null) : IHostedService, IAsyncDisposable
{
    private readonly AgentOptions _options = options.Value;
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(_options.IntrospectionEndpoint))
        {
            return;
        }

        var endpoint = IPEndPoint.Parse(_options.IntrospectionEndpoint);
        try
        {
            _app = await LocalWebServer.StartAsync([endpoint], Map, cancellationToken).ConfigureAwait(false);
            Log.Listening(logger, endpoint.ToString());
        }
        catch (IOException e)
        {
            Log.CannotListen(logger, endpoint.ToString(), e.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
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

    /// <summary>The version line ECS's <c>/v1/metadata</c> has.</summary>
    public static string VersionLine()
    {
        var (version, hash) = HostIdentity.AgentVersion();
        var shortHash = hash.Length > 8 ? hash[..8] : hash;
        return $"Orchestrator ECS Agent - v{version} ({shortHash})";
    }

    private void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Json(new JsonObject { ["AvailableCommands"] = new JsonArray("/v1/metadata", "/v1/tasks", "/v1/stats", "/metrics") }));
        // Prometheus' text format: the agent's metrics (AgentTelemetry); loopback like the rest of this API.
        if (meters is not null)
        {
            app.MapPrometheusScrapingEndpoint("/metrics", meters, configureBranchedPipeline: null, optionsName: null);
        }
        app.MapGet("/v1/metadata", () => Json(IntrospectionViews.Metadata(
            Arns.ShortName(_options.Cluster, "cluster"), store.GetContainerInstanceArn(), VersionLine())));
        app.MapGet("/v1/stats", () => Json(IntrospectionViews.Stats(tasks.All(), stats, stats.Enabled)));
        app.MapGet("/v1/tasks", (HttpRequest request) =>
        {
            var taskArn = request.Query["taskarn"].ToString();
            var dockerId = request.Query["dockerid"].ToString();
            if (taskArn.Length > 0 && dockerId.Length > 0)
            {
                return Json(IntrospectionViews.EmptyTask(), StatusCodes.Status400BadRequest);
            }

            if (taskArn.Length > 0)
            {
                return tasks.All().FirstOrDefault(t => t.Record.TaskArn == taskArn) is { } task
                    ? Json(IntrospectionViews.Task(task))
                    : Json(IntrospectionViews.EmptyTask(), StatusCodes.Status404NotFound);
            }

            if (dockerId.Length > 0)
            {
                var all = tasks.All();
                var exact = all.Where(t => t.Record.Containers.Any(c => c.RuntimeId == dockerId)).ToList();
                var matches = exact.Count > 0 || dockerId.Length > 12
                    ? exact
                    : [.. all.Where(t => t.Record.Containers.Any(c => c.RuntimeId?.StartsWith(dockerId, StringComparison.Ordinal) == true))];
                return matches.Count switch
                {
                    1 => Json(IntrospectionViews.Task(matches[0])),
                    0 => Json(IntrospectionViews.EmptyTask(), StatusCodes.Status404NotFound),
                    _ => Json(IntrospectionViews.EmptyTask(), StatusCodes.Status400BadRequest),
                };
            }

            return Json(IntrospectionViews.Tasks(tasks.All()));
        });
    }

    private static IResult Json(JsonObject body, int status = StatusCodes.Status200OK) =>
        Results.Text(body.ToJsonString(), "application/json", statusCode: status);
}
