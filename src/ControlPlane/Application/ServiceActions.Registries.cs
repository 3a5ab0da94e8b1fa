using Orchestrator.ControlPlane.Discovery;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

public sealed partial class ServiceActions
{
    /// <summary>
    /// ECS's rules for <c>serviceRegistries</c>, against the task definition the service runs: at most one; its
    /// registryArn a discovery service of this control plane (<see cref="DiscoveryNames"/>); bridge and host need
    /// containerName and containerPort (SRV carries the host port); awsvpc takes port or containerName+containerPort,
    /// not both, or neither (A records only); the container and port must be in the task definition; one registry
    /// name per cluster. Returns the registries as stored (registryArn as given).
    /// </summary>
    internal static IReadOnlyList<ServiceRegistry> CheckRegistries(
        IReadOnlyList<ServiceRegistry> registries, TaskDefinition definition, StateSnapshot state, string clusterName, string serviceName)
    {
        if (registries.Count == 0)
        {
            return [];
        }

        if (registries.Count > 1)
        {
            throw EcsException.InvalidParameter("Each service may be associated with one service registry. Multiple service registries for each service isn't supported.");
        }

        var registry = registries[0] ?? throw EcsException.InvalidParameter("serviceRegistries[0] must be an object.");
        var name = DiscoveryNames.RegistryName(registry.RegistryArn)
            ?? throw EcsException.InvalidParameter(
                $"serviceRegistries[0].registryArn '{EcsText.Cut(registry.RegistryArn ?? "")}' is not a discovery service: use arn:aws:servicediscovery:REGION:ACCOUNT:service/srv-NAME or NAME (NAME: 1-63 letters, digits and hyphens).");
        if (DiscoveryNames.ClusterLabel(clusterName) is null)
        {
            throw EcsException.InvalidParameter($"Service discovery needs a cluster name of at most 63 characters (a DNS label); {EcsText.Cut(clusterName)} is longer.");
        }

        if (registry.Port is { } p && p is < 1 or > 65535 || registry.ContainerPort is { } cp && cp is < 1 or > 65535)
        {
            throw EcsException.InvalidParameter("serviceRegistries[0].port and containerPort must be between 1 and 65535.");
        }

        if ((registry.ContainerName is null) != (registry.ContainerPort is null))
        {
            throw EcsException.InvalidParameter("serviceRegistries[0]: containerName and containerPort must be specified together.");
        }

        var mode = definition.EffectiveNetworkMode;
        if (mode == NetworkModes.None)
        {
            throw EcsException.InvalidParameter("Service discovery is not supported for tasks with the none network mode.");
        }

        if (mode != NetworkModes.Awsvpc)
        {
            if (registry.ContainerName is null)
            {
                throw EcsException.InvalidParameter($"When specifying a service registry for a task definition with the {mode} network mode, you must specify a containerName and containerPort.");
            }

            if (registry.Port is not null)
            {
                throw EcsException.InvalidParameter($"serviceRegistries[0].port applies to the awsvpc network mode; with {mode} use containerName and containerPort.");
            }
        }
        else if (registry.Port is not null && registry.ContainerName is not null)
        {
            throw EcsException.InvalidParameter("serviceRegistries[0]: specify either port or containerName and containerPort, not both.");
        }

        if (registry.ContainerName is { } containerName)
        {
            var container = definition.ContainerDefinitions.FirstOrDefault(c => c.Name == containerName)
                ?? throw EcsException.InvalidParameter($"The container {EcsText.Cut(containerName)} does not exist in the task definition.");
            if (!(container.PortMappings ?? []).Any(m => m.ContainerPort == registry.ContainerPort))
            {
                throw EcsException.InvalidParameter($"The container {EcsText.Cut(containerName)} does not have a port mapping for containerPort {registry.ContainerPort}.");
            }
        }

        var taken = state.ServicesIn(clusterName).FirstOrDefault(s =>
            s.Name != serviceName && s.Status != ServiceStatus.Inactive && s.ServiceRegistries.Count > 0 &&
            DiscoveryNames.RegistryName(s.ServiceRegistries[0].RegistryArn) == name);
        if (taken is not null)
        {
            throw EcsException.InvalidParameter($"The service registry {name} is already used by service {taken.Name} in this cluster.");
        }

        return [registry];
    }
}
