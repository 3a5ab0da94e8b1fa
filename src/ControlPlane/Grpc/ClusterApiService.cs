using Grpc.Core;
using Orchestrator.Contracts.Cluster;
using Orchestrator.ControlPlane.Application;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Json;

namespace Orchestrator.ControlPlane.Grpc;

/// <summary>The CLI's cluster API (protos/cluster.proto): ECS actions by name, and a stream of task changes.</summary>
public sealed partial class ClusterApiService(EcsActions actions, TaskActions tasks, StateStore store, ITaskStreams streams, IAgentConnections connections,
    ContainerInstanceActions instances, TimeProvider clock, ILogger<ClusterApiService> logger, Schedules.ScheduleActions schedules,
    Scaling.AutoScalingActions scaling, ClusterActions? clusters = null, LoadBalancing.LoadBalancerActions? balancers = null)
    : ClusterApi.ClusterApiBase
{
    /// <summary>The non-ECS operation `orch capacity describe` calls.</summary>
    public const string DescribeCapacityProviderReservations = "DescribeCapacityProviderReservations";

    public override async Task<EcsReply> Call(EcsCall request, ServerCallContext context)
    {
        if (request.Action == DescribeCapacityProviderReservations && clusters is not null)
        {
            // Not an ECS action: the capacity providers' reservation figures (README "Capacity providers").
            var reservations = await GrpcErrors.Translate(() => Task.FromResult(clusters.DescribeCapacityProviderReservations(
                EcsRequestReader.Read<Ecs.Model.DescribeCapacityProvidersRequest>(string.IsNullOrEmpty(request.Json) ? "{}" : request.Json).Cluster)))
                .ConfigureAwait(false);
            return new EcsReply { Json = System.Text.Json.JsonSerializer.Serialize(reservations, EcsJson.Options) };
        }

        if (balancers is not null && LoadBalancing.LoadBalancerActions.Names.Contains(request.Action))
        {
            // The built-in load balancer's operations (`orch lb`; ELBv2's names, not ECS's).
            return new EcsReply
            {
                Json = await GrpcErrors.Translate(() => balancers.InvokeAsync(request.Action, request.Json, context.CancellationToken)).ConfigureAwait(false),
            };
        }

        // The scheduled-task operations (EventBridge Scheduler's names, which ECS does not use) go to their own table.
        // Application Auto Scaling's operations (orch service autoscale) likewise.
        var json = await GrpcErrors.Translate(() => Schedules.ScheduleActions.Names.Contains(request.Action)
            ? schedules.InvokeAsync(request.Action, request.Json, context.CancellationToken)
            : Scaling.AutoScalingActions.Names.Contains(request.Action)
                ? scaling.InvokeAsync(request.Action, request.Json, context.CancellationToken)
                : actions.InvokeAsync(request.Action, request.Json, context.CancellationToken)).ConfigureAwait(false);
        return new EcsReply { Json = json };
    }

    public override async Task WatchTasks(WatchTasksRequest request, IServerStreamWriter<EcsReply> responseStream, ServerCallContext context)
    {
        var token = context.CancellationToken;
        // Validate (cluster, references) the way DescribeTasks does before streaming.
        await GrpcErrors.Translate(() => tasks.DescribeTasksAsync(new Ecs.Model.DescribeTasksRequest { Cluster = request.Cluster, Tasks = request.Tasks }, token)).ConfigureAwait(false);
        var state = store.Current;
        string? last = null;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var cluster = state.Cluster(Arns.ShortName(string.IsNullOrEmpty(request.Cluster) ? Clusters.DefaultName : request.Cluster, "cluster"));
                if (cluster is null)
                {
                    return;
                }

                var json = EcsJson.Serialize(tasks.DescribeTasks(state, cluster, request.Tasks));
                if (json != last)
                {
                    await responseStream.WriteAsync(new EcsReply { Json = json }, token).ConfigureAwait(false);
                    last = json;
                }

                state = await store.WaitForChangeAsync(state.Version, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client stopped watching.
        }
    }
}
