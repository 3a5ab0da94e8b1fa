using System.Text.RegularExpressions;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Application.RequestChecks;
using static Orchestrator.ControlPlane.Application.ResourceReferences;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// ECS's capacity provider actions: CreateCapacityProvider, UpdateCapacityProvider, DeleteCapacityProvider,
/// DescribeCapacityProviders and PutClusterCapacityProviders. A provider is a group of container instances chosen by
/// a cluster query (<see cref="CapacityGroups"/>); its managed scaling calls the operator's hook (Capacity/CapacityScaler).
/// </summary>
public sealed partial class ClusterActions
{
    public const int MaxCapacityProvidersPerCluster = 20;

    public Task<CapacityProviderResponse> CreateCapacityProviderAsync(CreateCapacityProviderRequest request, CancellationToken cancellationToken)
    {
        var name = request.Name ?? "";
        if (!CapacityProviderNamePattern().IsMatch(name))
        {
            throw EcsException.InvalidParameter("The capacity provider name must be 1 to 255 characters: letters (uppercase and lowercase), numbers, hyphens and underscores.");
        }

        if (name.StartsWith("aws", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ecs", StringComparison.OrdinalIgnoreCase) ||
            name.StartsWith("fargate", StringComparison.OrdinalIgnoreCase))
        {
            throw EcsException.InvalidParameter("The capacity provider name cannot begin with \"aws\", \"ecs\", or \"fargate\".");
        }

        var group = request.AutoScalingGroupProvider ?? throw EcsException.InvalidParameter(
            "autoScalingGroupProvider is required: its autoScalingGroupArn names the group of container instances (README \"Capacity providers\").");
        var expression = CapacityGroups.ExpressionOf(group.AutoScalingGroupArn);
        var scaling = CheckScaling(group.ManagedScaling, null);
        var protection = CheckOnOff(group.ManagedTerminationProtection, "managedTerminationProtection") ?? "DISABLED";
        var draining = CheckOnOff(group.ManagedDraining, "managedDraining") ?? "ENABLED";
        if (protection == "ENABLED" && scaling.Status != "ENABLED")
        {
            throw EcsException.InvalidParameter("Managed termination protection requires managed scaling to be enabled.");
        }

        var tags = Tagging.Validate(request.Tags);
        return store.WriteAsync(tx =>
        {
            if (request.Cluster is not null)
            {
                _ = ActiveCluster(arns, tx.State, request.Cluster);
            }

            if (tx.State.CapacityProvider(name) is not null)
            {
                throw EcsException.Client($"The specified capacity provider already exists: {name}.");
            }

            var provider = new CapacityProviderRecord
            {
                Name = name,
                Arn = CapacityProviderArn(name),
                Cluster = request.Cluster,
                GroupArn = group.AutoScalingGroupArn!,
                Expression = expression,
                ManagedScaling = scaling,
                ManagedTerminationProtection = protection,
                ManagedDraining = draining,
                CreatedAt = clock.GetUtcNow(),
            };
            tx.Put(provider);
            tx.PutTags(provider.Arn, tags);
            return new CapacityProviderResponse(View(tx.State, provider, withTags: true));
        }, cancellationToken);
    }

    public Task<CapacityProviderResponse> UpdateCapacityProviderAsync(UpdateCapacityProviderRequest request, CancellationToken cancellationToken)
    {
        var update = request.AutoScalingGroupProvider ?? throw EcsException.InvalidParameter("autoScalingGroupProvider is required.");
        var protection = CheckOnOff(update.ManagedTerminationProtection, "managedTerminationProtection");
        var draining = CheckOnOff(update.ManagedDraining, "managedDraining");
        return store.WriteAsync(tx =>
        {
            var provider = FindProvider(tx.State, request.Name);
            var updated = provider with
            {
                ManagedScaling = update.ManagedScaling is null ? provider.ManagedScaling : CheckScaling(update.ManagedScaling, provider.ManagedScaling),
                ManagedTerminationProtection = protection ?? provider.ManagedTerminationProtection,
                ManagedDraining = draining ?? provider.ManagedDraining,
                UpdateStatus = "UPDATE_COMPLETE",
            };
            if (updated.ManagedTerminationProtection == "ENABLED" && !updated.ScalingEnabled)
            {
                throw EcsException.InvalidParameter("Managed termination protection requires managed scaling to be enabled.");
            }

            tx.Put(updated);
            return new CapacityProviderResponse(View(tx.State, updated, withTags: false));
        }, cancellationToken);
    }

    /// <summary>Refused while a cluster has the provider attached or a service's strategy names it (ECS's rule).</summary>
    public Task<CapacityProviderResponse> DeleteCapacityProviderAsync(DeleteCapacityProviderRequest request, CancellationToken cancellationToken) =>
        store.WriteAsync(tx =>
        {
            var provider = FindProvider(tx.State, request.CapacityProvider);
            if (tx.State.Clusters.Values.FirstOrDefault(c => c.Status == ClusterStatus.Active && c.CapacityProviders.Contains(provider.Name)) is { } cluster)
            {
                throw EcsException.Client(
                    $"The specified capacity provider is in use and cannot be removed: it is associated with the cluster {cluster.Name}. " +
                    "Remove it with PutClusterCapacityProviders first.");
            }

            if (tx.State.Services.Values.FirstOrDefault(s => s.Status != ServiceStatus.Inactive && s.CapacityProviderStrategy.Any(i => i.CapacityProvider == provider.Name)) is { } service)
            {
                throw EcsException.Client($"The specified capacity provider is in use and cannot be removed: the service {service.Name} uses it.");
            }

            tx.Delete(provider);
            tx.PutTags(provider.Arn, []);
            var view = View(tx.State, provider, withTags: false) with { Status = CapacityProviderStatus.Inactive, UpdateStatus = "DELETE_COMPLETE" };
            return new CapacityProviderResponse(view);
        }, cancellationToken);

    /// <summary>
    /// Replaces the cluster's providers and default strategy. A provider taken away that a live task or an active
    /// service of the cluster uses is refused (ResourceInUseException), as in ECS.
    /// </summary>
    public Task<ClusterResponse> PutClusterCapacityProvidersAsync(PutClusterCapacityProvidersRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Cluster))
        {
            throw EcsException.InvalidParameter("cluster is required.");
        }

        var names = request.CapacityProviders ?? throw EcsException.InvalidParameter("capacityProviders is required (an empty list detaches every provider).");
        var strategy = request.DefaultCapacityProviderStrategy ?? throw EcsException.InvalidParameter("defaultCapacityProviderStrategy is required (it may be empty).");
        return store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(arns, tx.State, request.Cluster);
            var attached = AttachableProviders(tx.State, cluster.Name, names);
            var updated = cluster with { CapacityProviders = attached };
            var defaults = CapacityProviderStrategies.Check([.. strategy], updated, "defaultCapacityProviderStrategy");
            foreach (var removed in cluster.CapacityProviders.Except(attached, StringComparer.Ordinal))
            {
                if (tx.State.ServicesIn(cluster.Name).Any(s => s.Status == ServiceStatus.Active && s.CapacityProviderStrategy.Any(i => i.CapacityProvider == removed)) ||
                    tx.State.TasksIn(cluster.Name).Any(t => t.Task.CapacityProviderName == removed && t.Task.LastStatus != TaskStatus.Stopped))
                {
                    throw new EcsException(EcsErrors.ResourceInUse,
                        $"The specified capacity provider {removed} is in use and cannot be removed: a service or task of the cluster uses it.");
                }
            }

            updated = updated with { DefaultCapacityProviderStrategy = defaults };
            tx.Put(updated);
            return new ClusterResponse(ClusterView.From(tx.State, updated, DescribeIncludes.All));
        }, cancellationToken);
    }

    /// <summary>DescribeCapacityProviders: the named ones (or all), with each one's reservation in the clusters it serves.</summary>
    public Task<DescribeCapacityProvidersResponse> DescribeCapacityProvidersAsync(DescribeCapacityProvidersRequest request, CancellationToken cancellationToken)
    {
        if (request.MaxResults is < 1 or > 10)
        {
            throw EcsException.InvalidParameter("maxResults must be between 1 and 10.");
        }

        if (request.CapacityProviders is { Count: > 100 })
        {
            throw EcsException.InvalidParameter("At most 100 capacity providers can be described at once.");
        }

        var include = DescribeIncludes.Parse(request.Include, "TAGS");
        var state = store.Current;
        if (request.Cluster is not null)
        {
            _ = ActiveCluster(arns, state, request.Cluster);
        }

        var failures = new List<Failure>();
        IEnumerable<CapacityProviderRecord> found;
        if (request.CapacityProviders is { Count: > 0 } names)
        {
            var list = new List<CapacityProviderRecord>();
            foreach (var reference in names)
            {
                if (state.CapacityProvider(ShortProviderName(reference)) is { } provider && (!reference.StartsWith("arn:", StringComparison.Ordinal) || reference == provider.Arn))
                {
                    list.Add(provider);
                }
                else
                {
                    failures.Add(new Failure(reference.StartsWith("arn:", StringComparison.Ordinal) ? reference : CapacityProviderArn(reference), "MISSING"));
                }
            }

            found = list;
        }
        else
        {
            found = state.CapacityProviders.Values;
        }

        var (page, next) = Paging.Page(found.DistinctBy(p => p.Name), p => p.Name, request.NextToken, request.MaxResults, defaultMax: 10);
        return Task.FromResult(new DescribeCapacityProvidersResponse([.. page.Select(p => View(state, p, include.Has("TAGS")))], failures, next));
    }

    private CapacityProviderRecord FindProvider(StateSnapshot state, string? reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            throw EcsException.InvalidParameter("The capacity provider name or ARN is required.");
        }

        var name = ShortProviderName(reference);
        return state.CapacityProvider(name) is { } provider && (!reference.StartsWith("arn:", StringComparison.Ordinal) || reference == provider.Arn)
            ? provider
            : throw EcsException.InvalidParameter($"The specified capacity provider does not exist: {EcsText.Cut(reference)}.");
    }

    /// <summary>The providers named for a cluster: each must exist, at most 20, and each serves one cluster at a time.</summary>
    private List<string> AttachableProviders(StateSnapshot state, string clusterName, IReadOnlyList<string> references)
    {
        if (references.Count > MaxCapacityProvidersPerCluster)
        {
            throw EcsException.InvalidParameter($"A cluster can have at most {MaxCapacityProvidersPerCluster} capacity providers.");
        }

        var names = new List<string>();
        foreach (var reference in references)
        {
            var provider = FindProvider(state, reference);
            if (state.Clusters.Values.FirstOrDefault(c => c.Name != clusterName && c.Status == ClusterStatus.Active && c.CapacityProviders.Contains(provider.Name)) is { } other)
            {
                throw EcsException.InvalidParameter(
                    $"The capacity provider {provider.Name} is already associated with the cluster {other.Name}: a capacity provider serves one cluster.");
            }

            if (!names.Contains(provider.Name, StringComparer.Ordinal))
            {
                names.Add(provider.Name);
            }
        }

        return names;
    }

    /// <summary>
    /// Not an ECS action (ECS publishes the figure as a CloudWatch metric): each attached provider's reservation in its
    /// cluster, and what managed scaling would ask for. `orch capacity describe` calls it (gRPC only).
    /// </summary>
    public CapacityProviderReservationsResponse DescribeCapacityProviderReservations(string? clusterReference)
    {
        var state = store.Current;
        var now = clock.GetUtcNow();
        var clusters = clusterReference is null
            ? state.Clusters.Values.Where(c => c.Status == ClusterStatus.Active)
            : [ActiveCluster(arns, state, clusterReference)];
        var result = new List<CapacityProviderReservation>();
        foreach (var cluster in clusters)
        {
            foreach (var provider in cluster.CapacityProviders.Select(state.CapacityProvider).OfType<CapacityProviderRecord>())
            {
                var plan = CapacityReservation.Plan(state, cluster, provider, now);
                result.Add(plan.Reservation with { CapacityProvider = provider.Name, RemoveInstances = [.. plan.Remove.Select(i => i.Arn)] });
            }
        }

        return new CapacityProviderReservationsResponse(result);
    }

    private static CapacityProvider View(StateSnapshot state, CapacityProviderRecord provider, bool withTags)
    {
        return new CapacityProvider
        {
            CapacityProviderArn = provider.Arn,
            Name = provider.Name,
            Cluster = provider.Cluster,
            Status = CapacityProviderStatus.Active,
            AutoScalingGroupProvider = new AutoScalingGroupProvider
            {
                AutoScalingGroupArn = provider.GroupArn,
                ManagedScaling = provider.ManagedScaling,
                ManagedTerminationProtection = provider.ManagedTerminationProtection,
                ManagedDraining = provider.ManagedDraining,
            },
            UpdateStatus = provider.UpdateStatus,
            Tags = withTags ? state.TagsOf(provider.Arn) : null,
        };
    }

    /// <summary>ECS's managedScaling: status ENABLED|DISABLED (DISABLED when absent), targetCapacity 1–100 (100),
    /// steps 1–10000 (1 and 10000, minimum ≤ maximum), instanceWarmupPeriod 0–10000 s (300).</summary>
    private static ManagedScaling CheckScaling(ManagedScaling? scaling, ManagedScaling? current)
    {
        CheckEnum(scaling?.Status, "managedScaling.status", "ENABLED", "DISABLED");
        if (scaling?.TargetCapacity is < 1 or > 100)
        {
            throw EcsException.InvalidParameter("managedScaling.targetCapacity must be between 1 and 100.");
        }

        if (scaling?.MinimumScalingStepSize is < 1 or > 10000 || scaling?.MaximumScalingStepSize is < 1 or > 10000)
        {
            throw EcsException.InvalidParameter("managedScaling's minimumScalingStepSize and maximumScalingStepSize must be between 1 and 10000.");
        }

        if (scaling?.InstanceWarmupPeriod is < 0 or > 10000)
        {
            throw EcsException.InvalidParameter("managedScaling.instanceWarmupPeriod must be between 0 and 10000 seconds.");
        }

        var result = new ManagedScaling
        {
            Status = scaling?.Status ?? current?.Status ?? "DISABLED",
            TargetCapacity = scaling?.TargetCapacity ?? current?.TargetCapacity ?? 100,
            MinimumScalingStepSize = scaling?.MinimumScalingStepSize ?? current?.MinimumScalingStepSize ?? 1,
            MaximumScalingStepSize = scaling?.MaximumScalingStepSize ?? current?.MaximumScalingStepSize ?? 10000,
            InstanceWarmupPeriod = scaling?.InstanceWarmupPeriod ?? current?.InstanceWarmupPeriod ?? 300,
        };
        return result.MinimumScalingStepSize > result.MaximumScalingStepSize
            ? throw EcsException.InvalidParameter("managedScaling.minimumScalingStepSize cannot be greater than maximumScalingStepSize.")
            : result;
    }

    private static string? CheckOnOff(string? value, string parameter)
    {
        CheckEnum(value, parameter, "ENABLED", "DISABLED");
        return value;
    }

    private string CapacityProviderArn(string name) => $"arn:aws:ecs:{arns.Region}:{arns.Account}:capacity-provider/{name}";

    private static string ShortProviderName(string reference) => reference[(reference.LastIndexOf('/') + 1)..];

    [GeneratedRegex("^[A-Za-z0-9_-]{1,255}$")]
    private static partial Regex CapacityProviderNamePattern();
}
