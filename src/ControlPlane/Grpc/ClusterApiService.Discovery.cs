using System.Text.Json;
using Grpc.Core;
using Orchestrator.Contracts.Cluster;
using Orchestrator.ControlPlane.Discovery;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Grpc;

public sealed partial class ClusterApiService
{
    /// <summary>`orch service endpoints`: what the DNS server answers for a service, from the current snapshot.</summary>
    public override Task<EcsReply> ServiceEndpoints(ServiceEndpointsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.Name) || request.Name.Length > 1600)
        {
            throw GrpcErrors.ToRpc(EcsException.InvalidParameter("name is required: the service's or its registry's name."));
        }

        var cluster = Arns.ShortName(string.IsNullOrEmpty(request.Cluster) ? Clusters.DefaultName : request.Cluster, "cluster");
        var found = ServiceDiscovery.Find(store.Current, cluster, request.Name)
            ?? throw new RpcException(new global::Grpc.Core.Status(StatusCode.NotFound,
                $"No service of cluster {EcsText.Cut(cluster)} is registered for discovery under {EcsText.Cut(request.Name)}."));
        return Task.FromResult(new EcsReply { Json = JsonSerializer.Serialize(DiscoveryView.From(found), DiscoveryView.Json) });
    }
}
