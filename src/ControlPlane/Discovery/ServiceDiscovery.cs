using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Discovery;

/// <summary>One registered task: where it answers. <see cref="Port"/> is 0 when the registry names no port (awsvpc, A records only).</summary>
public sealed record DiscoveryEntry(string TaskArn, string TaskId, string Address, int Port, string? ContainerInstanceArn, string? HealthStatus);

/// <summary>A service's registration: its DNS name and its tasks that may receive traffic now.</summary>
public sealed record DiscoveryRegistration(string Cluster, string Service, string Registry, string DomainName, IReadOnlyList<DiscoveryEntry> Entries);

/// <summary>
/// Service discovery read from the state snapshot, so it is never out of step with it (pure). A task is registered while
/// it is RUNNING and desired RUNNING and, when its task definition has a health check, HEALTHY. Bridge and host tasks
/// answer at their container instance's address (the attribute <c>orch.discovery-address</c> if set, else the address
/// its agent registered from) and the host port bound to the registry's container port; awsvpc tasks at their own
/// address and the registry's port (or container port).
/// </summary>
public static class ServiceDiscovery
{
    /// <summary>A container instance attribute (PutAttributes) that overrides the address discovery gives its tasks.</summary>
    public const string AddressAttribute = "orch.discovery-address";

    public static IEnumerable<DiscoveryRegistration> All(StateSnapshot state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var service in state.Services.Values)
        {
            if (service.Status == ServiceStatus.Active && service.ServiceRegistries.Count > 0 &&
                DiscoveryNames.RegistryName(service.ServiceRegistries[0].RegistryArn) is { } registry)
            {
                yield return new DiscoveryRegistration(service.ClusterName, service.Name, registry,
                    DiscoveryNames.Domain(registry, service.ClusterName), Entries(state, service, service.ServiceRegistries[0]));
            }
        }
    }

    /// <summary>The registration named by its registry name or its service's name in a cluster (case-insensitive); null when none.</summary>
    public static DiscoveryRegistration? Find(StateSnapshot state, string cluster, string name)
    {
        var all = All(state).Where(r => string.Equals(r.Cluster, cluster, StringComparison.OrdinalIgnoreCase)).ToList();
        return all.FirstOrDefault(r => string.Equals(r.Registry, name, StringComparison.OrdinalIgnoreCase))
            ?? all.FirstOrDefault(r => string.Equals(r.Service, name, StringComparison.OrdinalIgnoreCase));
    }

    public static IReadOnlyList<DiscoveryEntry> Entries(StateSnapshot state, ServiceRecord service, ServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(registry);
        var entries = new List<DiscoveryEntry>();
        foreach (var record in state.TasksOf(service).OrderBy(t => t.Task.TaskArn, StringComparer.Ordinal))
        {
            var task = record.Task;
            if (task.LastStatus != TaskStatus.Running || task.DesiredStatus != TaskStatus.Running ||
                state.TaskDefinitionByArn(task.TaskDefinitionArn) is not { } definition)
            {
                continue;
            }

            var healthChecked = definition.ContainerDefinitions.Any(c => c.HealthCheck is not null);
            if (healthChecked && task.HealthStatus != "HEALTHY")
            {
                continue;
            }

            var entry = definition.EffectiveNetworkMode == NetworkModes.Awsvpc
                ? Awsvpc(record, registry)
                : OnInstance(state, record, registry, definition.EffectiveNetworkMode == NetworkModes.Host);
            if (entry is not null)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    private static DiscoveryEntry? Awsvpc(TaskRecord record, ServiceRegistry registry) =>
        record.Address?.Ipv4Address is { Length: > 0 } address
            ? Entry(record, address, registry.Port ?? registry.ContainerPort ?? 0)
            : null;

    private static DiscoveryEntry? OnInstance(StateSnapshot state, TaskRecord record, ServiceRegistry registry, bool hostMode)
    {
        if (record.Task.ContainerInstanceArn is not { } instanceArn || state.Instance(instanceArn) is not { } instance)
        {
            return null;
        }

        var address = instance.EffectiveAttributes.FirstOrDefault(a => a.Name == AddressAttribute)?.Value ?? instance.Address;
        if (string.IsNullOrEmpty(address))
        {
            return null;
        }

        var container = record.Task.Containers.FirstOrDefault(c => c.Name == registry.ContainerName);
        var binding = container?.NetworkBindings
            .Where(b => b.ContainerPort == registry.ContainerPort && b.HostPort is > 0)
            .OrderBy(b => b.Protocol == "udp" ? 1 : 0)
            .FirstOrDefault();
        var port = binding?.HostPort ?? (hostMode ? registry.ContainerPort ?? 0 : 0);
        return port > 0 ? Entry(record, address, port) : null;
    }

    private static DiscoveryEntry Entry(TaskRecord record, string address, int port) =>
        new(record.Task.TaskArn, record.Task.TaskArn[(record.Task.TaskArn.LastIndexOf('/') + 1)..], address, port,
            record.Task.ContainerInstanceArn, record.Task.HealthStatus);
}
