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
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapDiscovery(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var token = LoopbackOrBearer.ReadToken(app.Services.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.MetricsTokenFile);
        app.MapGet("/discovery/v1/{cluster}", (HttpContext context, StateStore store, string cluster) =>
            Guard(context, token) ?? Results.Json(new { registrations = ServiceDiscovery.All(store.Current).Where(r => Same(r.Cluster, cluster)).Select(View) }, Json));
        app.MapGet("/discovery/v1/{cluster}/{name}", (HttpContext context, StateStore store, string cluster, string name) =>
            Guard(context, token) ?? (ServiceDiscovery.Find(store.Current, cluster, name) is { } found
                ? Results.Json(View(found), Json)
                : Results.Json(new { error = "NotFound", message = "No service of that cluster is registered under that name." }, Json, statusCode: 404)));
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static IResult? Guard(HttpContext context, byte[]? token) =>
        LoopbackOrBearer.Check(context, token, "discovery records") is { } refusal
            ? Results.Text(refusal.Message, statusCode: refusal.Status)
            : null;

    private static object View(DiscoveryRegistration r) => new
    {
        cluster = r.Cluster,
        serviceName = r.Service,
        registry = r.Registry,
        dnsName = r.DomainName,
        ttl = DnsResponder.Ttl,
        endpoints = r.Entries.Select(e => new { taskArn = e.TaskArn, address = e.Address, port = e.Port, containerInstanceArn = e.ContainerInstanceArn, healthStatus = e.HealthStatus }),
    };
}
