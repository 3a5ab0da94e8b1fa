using System.Globalization;
using Orchestrator.ControlPlane.State;
using Yarp.ReverseProxy.Configuration;

namespace Orchestrator.ControlPlane.LoadBalancing;

/// <summary>What one listener port serves: HTTP (YARP routes and clusters) or TCP (one target group's endpoints).</summary>
public sealed record PortConfiguration(int Port, string Protocol, IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters,
    IReadOnlyList<string> TcpEndpoints)
{
    /// <summary>A text that is equal for equal configurations (YARP's records hold lists, compared by reference).</summary>
    public string Fingerprint { get; } = string.Join('\n',
        new[] { Protocol }
            .Concat(Routes.Select(r => $"route {r.RouteId} {r.ClusterId} {r.Order} {string.Join(',', r.Match.Hosts ?? [])} {r.Match.Path}"))
            .Concat(Clusters.Select(c => $"cluster {c.ClusterId} {c.HealthCheck?.Active?.Path} {c.HealthCheck?.Active?.Interval} " +
                string.Join(',', (c.Destinations ?? new Dictionary<string, DestinationConfig>()).Select(d => d.Key + "=" + d.Value.Address))))
            .Concat(TcpEndpoints));
}

/// <summary>
/// The balancer's whole configuration from a state snapshot (pure): per listener port, an HTTP rule set in YARP's terms
/// — a route per listener rule (host, path; the most specific first) to a cluster per target group whose destinations
/// are the group's targets (<see cref="LoadBalancerTargets"/>), actively health checked on the group's path and
/// interval — or a TCP port's target endpoints.
/// </summary>
public static class BalancerConfiguration
{
    public static IReadOnlyList<PortConfiguration> From(StateSnapshot state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var targets = LoadBalancerTargets.All(state);
        var ports = new List<PortConfiguration>();
        foreach (var port in state.Listeners.Values.GroupBy(l => l.Port).OrderBy(g => g.Key))
        {
            var rules = port.Where(l => state.TargetGroups.ContainsKey(l.TargetGroup)).ToList();
            if (rules.Count == 0)
            {
                continue;
            }

            if (rules[0].Protocol == LoadBalancerNames.Tcp)
            {
                ports.Add(new PortConfiguration(port.Key, LoadBalancerNames.Tcp, [], [], targets[rules[0].TargetGroup].Select(t => t.Endpoint).ToList()));
                continue;
            }

            var routes = rules
                .OrderBy(Specificity)
                .ThenByDescending(l => l.Path?.Length ?? 0)
                .ThenBy(l => l.Arn, StringComparer.Ordinal)
                .Select((l, i) => new RouteConfig
                {
                    RouteId = l.Arn[(l.Arn.LastIndexOf('/') + 1)..],
                    ClusterId = l.TargetGroup,
                    Order = i,
                    Match = new RouteMatch
                    {
                        Hosts = l.Host is { } host ? [host] : null,
                        Path = RoutePath(l.Path),
                    },
                })
                .ToList();
            var clusters = rules.Select(l => l.TargetGroup).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(name => Cluster(state.TargetGroups[name], targets[name]))
                .ToList();
            ports.Add(new PortConfiguration(port.Key, LoadBalancerNames.Http, routes, clusters, []));
        }

        return ports;
    }

    /// <summary>A listener path in YARP's route syntax: <c>/api/*</c> matches /api/ and everything under it; no path matches all.</summary>
    public static string RoutePath(string? path) => path switch
    {
        null or "/*" or "*" => "/{**catchall}",
        _ when path.EndsWith('*') => path.TrimEnd('*') + "{**rest}",
        _ => path,
    };

    public static ClusterConfig Cluster(TargetGroupRecord group, IReadOnlyList<BalancerTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(targets);
        return new ClusterConfig
        {
            ClusterId = group.Name,
            LoadBalancingPolicy = "RoundRobin",
            Destinations = targets.ToDictionary(t => t.TaskId, t => new DestinationConfig { Address = $"http://{t.Endpoint}/" }, StringComparer.Ordinal),
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = TimeSpan.FromSeconds(group.HealthIntervalSeconds),
                    Timeout = TimeSpan.FromSeconds(group.HealthTimeoutSeconds),
                    Policy = "ConsecutiveFailures",
                    Path = group.HealthPath,
                },
            },
            Metadata = new Dictionary<string, string>
            {
                ["ConsecutiveFailuresHealthPolicy.Threshold"] = group.UnhealthyThreshold.ToString(CultureInfo.InvariantCulture),
            },
        };
    }

    private static int Specificity(ListenerRecord l) => (l.Host is null ? 2 : 0) + (l.Path is null ? 1 : 0);
}
