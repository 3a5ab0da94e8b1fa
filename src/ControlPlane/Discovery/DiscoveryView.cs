using System.Text.Json;

namespace Orchestrator.ControlPlane.Discovery;

/// <summary>A registration as <c>GET /discovery/v1</c> and <c>orch service endpoints</c> show it (JSON, camelCase).</summary>
public sealed record DiscoveryView(string Cluster, string ServiceName, string Registry, string DnsName, uint Ttl, IReadOnlyList<DiscoveryEndpointView> Endpoints)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static DiscoveryView From(DiscoveryRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return new(registration.Cluster, registration.Service, registration.Registry, registration.DomainName, DnsResponder.Ttl,
            registration.Entries.Select(e => new DiscoveryEndpointView(e.TaskArn, e.Address, e.Port, e.ContainerInstanceArn, e.HealthStatus)).ToList());
    }
}

public sealed record DiscoveryEndpointView(string TaskArn, string Address, int Port, string? ContainerInstanceArn, string? HealthStatus);
