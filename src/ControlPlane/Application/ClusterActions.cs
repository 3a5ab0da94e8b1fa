using System.Text.RegularExpressions;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Application.RequestChecks;
using static Orchestrator.ControlPlane.Application.ResourceReferences;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// ECS's cluster actions: CreateCluster, DeleteCluster, DescribeClusters, ListClusters, UpdateCluster,
/// UpdateClusterSettings; the capacity provider actions are in ClusterActions.CapacityProviders.cs.
/// </summary>
public sealed partial class ClusterActions(StateStore store, Arns arns, TimeProvider clock)
{
    public Task<ClusterResponse> CreateClusterAsync(CreateClusterRequest request, CancellationToken cancellationToken)
    {
        var name = request.ClusterName ?? Clusters.DefaultName;
        var tags = Tagging.Validate(request.Tags);
        if (!ClusterNamePattern().IsMatch(name))
        {
            throw EcsException.InvalidParameter(
                "Cluster name must be 1 to 255 characters: letters (uppercase and lowercase), numbers, hyphens and underscores.");
        }

        var providers = request.CapacityProviders ?? [];
        var strategy = request.DefaultCapacityProviderStrategy ?? [];
        return store.WriteAsync(tx =>
        {
            var existing = tx.State.Cluster(name);
            if (existing is { Status: ClusterStatus.Active })
            {
                return new ClusterResponse(ClusterView.From(tx.State, existing, DescribeIncludes.All));
            }

            var cluster = new ClusterRecord
            {
                Name = name,
                Arn = arns.Cluster(name),
                Settings = request.Settings ?? [new NameValuePair("containerInsights", DefaultContainerInsights(tx.State))],
                CreatedAt = clock.GetUtcNow(),
            };
            cluster = cluster with { CapacityProviders = AttachableProviders(tx.State, name, providers) };
            cluster = cluster with { DefaultCapacityProviderStrategy = CapacityProviderStrategies.Check([.. strategy], cluster, "defaultCapacityProviderStrategy") };
            tx.Put(cluster);
            tx.PutTags(cluster.Arn, tags);
            return new ClusterResponse(ClusterView.From(tx.State, cluster, DescribeIncludes.All));
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
            var cluster = ActiveCluster(arns, tx.State, request.Cluster);
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
            return new ClusterResponse(ClusterView.From(tx.State, inactive, DescribeIncludes.None));
        }, cancellationToken);
    }

    public Task<DescribeClustersResponse> DescribeClustersAsync(DescribeClustersRequest request, CancellationToken cancellationToken)
    {
        var references = request.Clusters is { Count: > 0 } ? request.Clusters : [Clusters.DefaultName];
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
            if (!arns.IsForeign(reference) && state.Cluster(name) is { } cluster)
            {
                clusters.Add(ClusterView.From(state, cluster, include));
            }
            else
            {
                failures.Add(new Failure(arns.IsForeign(reference) ? reference : arns.Cluster(name), "MISSING"));
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

    /// <summary>ECS's UpdateCluster: the settings (containerInsights) are replaced by name and kept; the AWS-only members
    /// (execute command configuration, Service Connect defaults) are taken only empty, by the request reader.</summary>
    public Task<ClusterResponse> UpdateClusterAsync(UpdateClusterRequest request, CancellationToken cancellationToken) =>
        UpdateSettingsAsync(request.Cluster, request.Settings, cancellationToken);

    /// <summary>ECS's UpdateClusterSettings: the named settings are replaced, the others kept.</summary>
    public Task<ClusterResponse> UpdateClusterSettingsAsync(UpdateClusterSettingsRequest request, CancellationToken cancellationToken) =>
        request.Settings is null or { Count: 0 }
            ? throw EcsException.InvalidParameter("settings is required.")
            : UpdateSettingsAsync(request.Cluster, request.Settings, cancellationToken);

    private Task<ClusterResponse> UpdateSettingsAsync(string? reference, IReadOnlyList<NameValuePair>? settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(reference))
        {
            throw EcsException.InvalidParameter("cluster is required.");
        }

        var changes = CheckSettings(settings);
        return store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(arns, tx.State, reference);
            var merged = cluster.Settings.Where(s => changes.All(c => c.Name != s.Name)).Concat(changes).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
            var updated = cluster with { Settings = merged };
            tx.Put(updated);
            return new ClusterResponse(ClusterView.From(tx.State, updated, DescribeIncludes.All));
        }, cancellationToken);
    }

    /// <summary>ECS's one cluster setting: containerInsights, enabled, disabled or enhanced.</summary>
    private static IReadOnlyList<NameValuePair> CheckSettings(IReadOnlyList<NameValuePair>? settings)
    {
        foreach (var setting in settings ?? [])
        {
            if (setting.Name != "containerInsights")
            {
                throw EcsException.InvalidParameter($"Cluster setting name must be containerInsights, not {EcsText.Cut(setting.Name)}.");
            }

            CheckEnum(setting.Value, "containerInsights", "enabled", "disabled", "enhanced");
            if (setting.Value is null)
            {
                throw EcsException.InvalidParameter("The containerInsights setting needs a value: enabled, disabled or enhanced.");
            }
        }

        return settings ?? [];
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,255}$")]
    private static partial Regex ClusterNamePattern();
}
