using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.ControlPlane.Discovery;
using Orchestrator.ControlPlane.Security;
using Orchestrator.ControlPlane.State;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// <c>GET /discovery/v1/{cluster}</c> (every registration of the cluster) and <c>GET /discovery/v1/{cluster}/{name}</c>
/// (one, by registry or service name): what the DNS server answers, as JSON, read from the same snapshot. Access as
/// <c>/metrics</c> (<see cref="LoopbackOrBearer"/>).
/// </summary>
public static class DiscoveryEndpoint
{
    private static JsonSerializerOptions Json => DiscoveryView.Json;

    public static void MapDiscovery(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var token = LoopbackOrBearer.ReadToken(app.Services.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.MetricsTokenFile);
        app.MapGet("/discovery/v1/{cluster}", (HttpContext context, StateStore store, string cluster) =>
            Guard(context, token) ?? Results.Json(new { registrations = ServiceDiscovery.All(store.Current).Where(r => Same(r.Cluster, cluster)).Select(DiscoveryView.From) }, Json));
        app.MapGet("/discovery/v1/{cluster}/{name}", (HttpContext context, StateStore store, string cluster, string name) =>
            Guard(context, token) ?? (ServiceDiscovery.Find(store.Current, cluster, name) is { } found
                ? Results.Json(DiscoveryView.From(found), Json)
                : Results.Json(new { error = "NotFound", message = "No service of that cluster is registered under that name." }, Json, statusCode: 404)));
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static IResult? Guard(HttpContext context, byte[]? token) =>
        LoopbackOrBearer.Check(context, token, "discovery records") is { } refusal
            ? Results.Text(refusal.Message, statusCode: refusal.Status)
            : null;
}
