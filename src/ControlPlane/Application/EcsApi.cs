using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// The ECS actions, once, for every front end: the gRPC cluster API and the ECS-compatible HTTP API both call these
/// methods. Validation happens here; every change goes through the state store's single writer; tasks reach
/// agents through the <see cref="TaskDispatcher"/>.
/// </summary>
public sealed partial class EcsApi(StateStore store, Arns arns, AgentSessions sessions, TaskDispatcher dispatcher, TaskLifecycle tasks, TimeProvider clock)
{
    private const string DefaultCluster = Clusters.DefaultName;

    private static ClusterRecord ActiveCluster(StateSnapshot state, string? reference)
    {
        var name = Arns.ShortName(reference ?? DefaultCluster, "cluster");
        var cluster = state.Cluster(name);
        return cluster is { Status: ClusterStatus.Active } ? cluster : throw EcsException.ClusterNotFound();
    }

    private static void CheckMaxResults(int? maxResults)
    {
        if (maxResults is < 1 or > 100)
        {
            throw EcsException.InvalidParameter("maxResults must be between 1 and 100.");
        }
    }

    private static void CheckEnum(string? value, string parameter, params string[] allowed)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            throw EcsException.InvalidParameter($"{parameter} must be one of: {string.Join(", ", allowed)}.");
        }
    }
}
