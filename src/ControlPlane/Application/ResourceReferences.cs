using System.Globalization;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// The resources a request names — by name, ID or ARN, as ECS accepts them — found in a snapshot, or ECS's error
/// when they are not there.
/// </summary>
public static class ResourceReferences
{
    /// <summary>The ACTIVE cluster named (the default cluster when none is), or ECS's <c>Cluster not found.</c></summary>
    public static ClusterRecord ActiveCluster(Arns arns, StateSnapshot state, string? reference)
    {
        if (arns.IsForeign(reference))
        {
            throw EcsException.ClusterNotFound();
        }

        var name = Arns.ShortName(reference ?? Clusters.DefaultName, "cluster");
        var cluster = state.Cluster(name);
        return cluster is { Status: ClusterStatus.Active } ? cluster : throw EcsException.ClusterNotFound();
    }

    /// <summary>
    /// A task definition named as ECS accepts it: <c>family</c> (the latest ACTIVE revision), <c>family:revision</c>,
    /// or an ARN with or without the revision.
    /// </summary>
    public static TaskDefinition? FindTaskDefinition(Arns arns, StateSnapshot state, string? reference)
    {
        var (family, revision) = ParseTaskDefinitionReference(arns, reference);
        return revision is { } number
            ? state.TaskDefinition(family, number)
            : state.Revisions(family).LastOrDefault(d => d.Status == "ACTIVE");
    }

    public static (string Family, int? Revision) ParseTaskDefinitionReference(Arns arns, string? reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            throw EcsException.InvalidParameter("taskDefinition is required.");
        }

        if (arns.IsForeign(reference))
        {
            throw EcsException.InvalidParameter("Task definition ARN is not valid: it belongs to another region or account.");
        }

        var name = Arns.TryParse(reference, out var arn) && arn.ResourceType == "task-definition" ? arn.Path[^1] : reference;
        var colon = name.LastIndexOf(':');
        if (colon < 0)
        {
            return (name, null);
        }

        return int.TryParse(name[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var revision) && revision > 0
            ? (name[..colon], revision)
            : throw EcsException.InvalidParameter($"Invalid revision in task definition '{EcsText.Cut(reference)}'.");
    }

    /// <summary>A service of the cluster by name or ARN, or ECS's <c>Service not found.</c></summary>
    public static ServiceRecord FindService(Arns arns, StateSnapshot state, ClusterRecord cluster, string? reference)
    {
        var name = ServiceName(arns, reference ?? throw EcsException.InvalidParameter("service is required."));
        return state.Service(arns.Service(cluster.Name, name)) ?? throw new EcsException(EcsErrors.ServiceNotFound, "Service not found.");
    }

    /// <summary>The name of a service given by name or by an ARN of this region and account.</summary>
    public static string ServiceName(Arns arns, string reference) =>
        arns.IsForeign(reference)
            ? throw EcsException.InvalidParameter("Service ARN is not valid: it belongs to another region or account.")
            : Arns.ShortName(reference, "service");

    /// <summary>The ARN of a container instance of the cluster given by ID or ARN.</summary>
    public static string InstanceArn(Arns arns, ClusterRecord cluster, string reference) =>
        Arns.TryParse(reference, out _) ? reference : arns.ContainerInstance(cluster.Name, reference);
}
