using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

/// <summary>ECS's rules for a capacityProviderStrategy, and which one a launch uses.</summary>
public static class CapacityProviderStrategies
{
    public const int MaxItems = 20;

    /// <summary>
    /// The strategy items checked as ECS checks them, with base and weight filled in (0). With
    /// <paramref name="cluster"/>, each provider must be attached to it.
    /// </summary>
    public static IReadOnlyList<CapacityProviderStrategyItem> Check(IReadOnlyList<CapacityProviderStrategyItem?> items, ClusterRecord? cluster, string parameter)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count > MaxItems)
        {
            throw EcsException.InvalidParameter($"{parameter} can contain at most {MaxItems} capacity providers.");
        }

        var result = new List<CapacityProviderStrategyItem>();
        foreach (var item in items)
        {
            if (string.IsNullOrEmpty(item?.CapacityProvider))
            {
                throw EcsException.InvalidParameter($"{parameter}: each item needs a capacityProvider.");
            }

            if (item.Weight is < 0 or > 1000)
            {
                throw EcsException.InvalidParameter($"{parameter}: weight must be between 0 and 1000.");
            }

            if (item.Base is < 0 or > 100000)
            {
                throw EcsException.InvalidParameter($"{parameter}: base must be between 0 and 100000.");
            }

            if (result.Any(r => r.CapacityProvider == item.CapacityProvider))
            {
                throw EcsException.InvalidParameter($"{parameter} names the capacity provider {EcsText.Cut(item.CapacityProvider)} more than once.");
            }

            if (cluster is not null && !cluster.CapacityProviders.Contains(item.CapacityProvider, StringComparer.Ordinal))
            {
                throw EcsException.InvalidParameter(
                    "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. " +
                    "Associate the capacity provider with the cluster or specify a valid capacity provider and try again.");
            }

            result.Add(new CapacityProviderStrategyItem { CapacityProvider = item.CapacityProvider, Base = item.Base ?? 0, Weight = item.Weight ?? 0 });
        }

        if (result.Count(r => r.Base > 0) > 1)
        {
            throw EcsException.InvalidParameter("A capacity provider strategy can have a base defined for only one capacity provider.");
        }

        if (result.Count > 0 && result.All(r => r.Weight == 0))
        {
            throw EcsException.InvalidParameter("A capacity provider strategy must have at least one capacity provider with a weight greater than 0.");
        }

        return result;
    }

    /// <summary>
    /// The strategy a launch uses: the one given (never together with a launch type), else the cluster's default when
    /// no launch type is given either; empty means a launch type (EC2 when none is given).
    /// </summary>
    public static IReadOnlyList<CapacityProviderStrategyItem> ForLaunch(
        ClusterRecord cluster, string? launchType, IReadOnlyList<CapacityProviderStrategyItem?>? strategy)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (strategy is { Count: > 0 })
        {
            return launchType is not null
                ? throw EcsException.InvalidParameter("Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.")
                : Check(strategy, cluster, "capacityProviderStrategy");
        }

        return launchType is null ? cluster.DefaultCapacityProviderStrategy : [];
    }
}
