using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using Attribute = Orchestrator.Ecs.Model.Attribute;
using VersionInfo = Orchestrator.Ecs.Model.VersionInfo;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// Agents registering their hosts as container instances, as the ECS agent's RegisterContainerInstance does:
/// checked, applied through the state store's single writer, idempotent for an agent that presents its ARN again.
/// </summary>
public sealed partial class InstanceRegistration(StateStore store, Arns arns, TimeProvider clock, ILogger<InstanceRegistration> logger)
{
    private const string DefaultCluster = Clusters.DefaultName;

    /// <summary>
    /// Registers a host, or re-registers it as the same container instance when it presents the ARN it was given
    /// before. The cluster "default" is created on first use, as ECS does for its agent. A request outside
    /// <see cref="RegistrationLimits"/> is refused before anything is stored.
    /// </summary>
    public Task<InstanceRecord> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken, string? peerAddress = null)
    {
        RegistrationLimits.Check(request);
        var resources = request.Resources;
        var clusterName = Arns.ShortName(string.IsNullOrEmpty(request.Cluster) ? DefaultCluster : request.Cluster, "cluster");
        return store.WriteAsync(tx =>
        {
            var cluster = tx.State.Cluster(clusterName);
            if (cluster is not { Status: ClusterStatus.Active })
            {
                if (clusterName != DefaultCluster)
                {
                    throw EcsException.ClusterNotFound();
                }

                cluster = new ClusterRecord { Name = clusterName, Arn = arns.Cluster(clusterName), CreatedAt = clock.GetUtcNow() };
                tx.Put(cluster);
            }

            var registered = new HostCapacity(
                resources.Cpu,
                resources.MemoryMib,
                resources.ReservedTcpPorts.Distinct().Order().ToList(),
                resources.ReservedUdpPorts.Distinct().Order().ToList())
            {
                DynamicPortFirst = resources.DynamicPortFirst,
                DynamicPortLast = resources.DynamicPortFirst > 0 ? resources.DynamicPortLast : 0,
                GpuIds = resources.GpuIds.Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).ToList(),
                AwsvpcTaskLimit = resources.AwsvpcTaskLimit,
            };
            var attributes = request.Attributes
                .Select(a => new Attribute { Name = a.Name, Value = a.HasValue ? a.Value : null })
                .ToList();
            var version = request.VersionInfo is { } v ? new VersionInfo(v.AgentVersion, v.AgentHash, v.DockerVersion) : null;

            var previous = string.IsNullOrEmpty(request.ContainerInstanceArn) ? null : tx.State.Instance(request.ContainerInstanceArn);
            var instance = previous is not null && previous.ClusterName == clusterName && previous.Status != ContainerInstanceStatus.Inactive
                ? previous with
                {
                    Registered = registered,
                    Attributes = attributes,
                    VersionInfo = version,
                    Ec2InstanceId = request.InstanceId,
                    Hostname = request.Hostname,
                    Address = peerAddress ?? previous.Address,
                    Version = previous.Version + 1,
                }
                : new InstanceRecord
                {
                    Arn = arns.ContainerInstance(clusterName, Arns.NewId()),
                    ClusterName = clusterName,
                    Registered = registered,
                    Attributes = attributes,
                    VersionInfo = version,
                    Ec2InstanceId = request.InstanceId,
                    Hostname = request.Hostname,
                    Address = peerAddress,
                    RegisteredAt = clock.GetUtcNow(),
                    Version = 1,
                };
            tx.Put(instance);
            if (previous is null)
            {
                Log.Registered(logger, instance.Arn, request.Hostname);
            }

            return instance;
        }, cancellationToken);
    }
}
