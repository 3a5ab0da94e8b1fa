using System.Collections.Concurrent;
using Orchestrator.ControlPlane.Networking;

namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>Which container instances a subnet serves: those of its cluster that its hosts expression selects.</summary>
public static class SubnetCoverage
{
    private static readonly ConcurrentDictionary<string, MemberOfConstraint> Expressions = new(StringComparer.Ordinal);

    public static bool Serves(Subnet subnet, string clusterName, InstanceSnapshot instance)
    {
        ArgumentNullException.ThrowIfNull(subnet);
        return (subnet.Cluster is null || subnet.Cluster == clusterName)
            && (subnet.Hosts is not { } hosts || Expressions.GetOrAdd(hosts, MemberOfConstraint.Parse).Matches(instance));
    }
}
