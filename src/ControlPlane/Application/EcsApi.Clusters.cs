using System.Text.RegularExpressions;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

public sealed partial class EcsApi
{
    public Task<ClusterResponse> CreateClusterAsync(CreateClusterRequest request, CancellationToken cancellationToken)
    {
        var name = request.ClusterName ?? DefaultCluster;
        var tags = Tagging.Validate(request.Tags);
        if (!ClusterNamePattern().IsMatch(name))
        {
            throw EcsException.InvalidParameter(
                "Cluster name must be 1 to 255 characters: letters (uppercase and lowercase), numbers, hyphens and underscores.");
        }

        return store.WriteAsync(tx =>
        {
            var existing = tx.State.Cluster(name);
            if (existing is { Status: ClusterStatus.Active })
            {
                return new ClusterResponse(ToCluster(tx.State, existing, DescribeIncludes.All));
            }

            var cluster = new ClusterRecord
            {
                Name = name,
                Arn = arns.Cluster(name),
                Settings = request.Settings ?? [new NameValuePair("containerInsights", "disabled")],
                CreatedAt = clock.GetUtcNow(),
            };
            tx.Put(cluster);
            tx.PutTags(cluster.Arn, tags);
            return new ClusterResponse(ToCluster(tx.State, cluster, DescribeIncludes.All));
        }, cancellationToken);
    }

    public Task<ClusterResponse> DeleteClusterAsync(DeleteClusterRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Cluster))
        {
            throw EcsException.InvalidParameter("cluster is required.");
        }

        return store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(tx.State, request.Cluster);
            if (tx.State.InstancesIn(cluster.Name).Any(i => i.Status != ContainerInstanceStatus.Inactive))
            {
                throw new EcsException(EcsErrors.ClusterContainsContainerInstances,
                    "The Cluster cannot be deleted while Container Instances are active or draining.");
            }

            if (tx.State.ServicesIn(cluster.Name).Any(s => s.Status == ServiceStatus.Active))
            {
                throw new EcsException(EcsErrors.ClusterContainsServices, "The Cluster cannot be deleted while Services are active.");
            }

            if (tx.State.TasksIn(cluster.Name).Any(t => t.Task.LastStatus != TaskStatus.Stopped))
            {
                throw new EcsException(EcsErrors.ClusterContainsTasks, "The Cluster cannot be deleted while Tasks are active.");
            }

            var inactive = cluster with { Status = ClusterStatus.Inactive };
            tx.Put(inactive);
            return new ClusterResponse(ToCluster(tx.State, inactive, DescribeIncludes.None));
        }, cancellationToken);
    }

    public Task<DescribeClustersResponse> DescribeClustersAsync(DescribeClustersRequest request, CancellationToken cancellationToken)
    {
        var references = request.Clusters is { Count: > 0 } ? request.Clusters : [DefaultCluster];
        if (references.Count > 100)
        {
            throw EcsException.InvalidParameter("At most 100 clusters can be described at once.");
        }

        var include = DescribeIncludes.Parse(request.Include, "ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS");
        var state = store.Current;
        var clusters = new List<Cluster>();
        var failures = new List<Failure>();
        foreach (var reference in references)
        {
            var name = Arns.ShortName(reference, "cluster");
            if (state.Cluster(name) is { } cluster)
            {
                clusters.Add(ToCluster(state, cluster, include));
            }
            else
            {
                failures.Add(new Failure(arns.Cluster(name), "MISSING"));
            }
        }

        return Task.FromResult(new DescribeClustersResponse(clusters, failures));
    }

    public Task<ListClustersResponse> ListClustersAsync(ListRequest request, CancellationToken cancellationToken)
    {
        CheckMaxResults(request.MaxResults);
        var active = store.Current.Clusters.Values.Where(c => c.Status == ClusterStatus.Active);
        var (page, next) = Paging.Page(active, c => c.Name, request.NextToken, request.MaxResults);
        return Task.FromResult(new ListClustersResponse(page.Select(c => c.Arn).ToList(), next));
    }

    private Cluster ToCluster(StateSnapshot state, ClusterRecord cluster, DescribeIncludes include)
    {
        var instances = state.InstancesIn(cluster.Name).Count(i => i.Status is ContainerInstanceStatus.Active or ContainerInstanceStatus.Draining);
        var tasks = state.TasksIn(cluster.Name).Where(t => t.Task.LastStatus != TaskStatus.Stopped).ToList();
        var running = tasks.Count(t => t.Task.LastStatus == TaskStatus.Running);
        var pending = tasks.Count(t => t.Task.LastStatus is TaskStatus.Provisioning or TaskStatus.Pending);
        return new Cluster
        {
            ClusterArn = cluster.Arn,
            ClusterName = cluster.Name,
            Status = cluster.Status,
            RegisteredContainerInstancesCount = instances,
            RunningTasksCount = running,
            PendingTasksCount = pending,
            ActiveServicesCount = state.ServicesIn(cluster.Name).Count(s => s.Status == ServiceStatus.Active),
            Statistics = include.Has("STATISTICS")
                ? [
                    new NameValuePair("runningEC2TasksCount", running.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new NameValuePair("pendingEC2TasksCount", pending.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ]
                : [],
            Tags = include.Has("TAGS") ? state.TagsOf(cluster.Arn) : null,
            Settings = include.Has("SETTINGS") ? cluster.Settings : null,
            CapacityProviders = [],
        };
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,255}$")]
    private static partial Regex ClusterNamePattern();
}
