using System.Text.RegularExpressions;

namespace Orchestrator.ControlPlane.Discovery;

/// <summary>
/// How ECS's <c>serviceRegistries[].registryArn</c> maps to a DNS name here, with no Cloud Map: the ARN
/// <c>arn:aws:servicediscovery:REGION:ACCOUNT:service/srv-NAME</c> (or <c>service/NAME</c>) or a plain <c>NAME</c> names
/// a discovery service of this control plane, and its tasks answer at <c>NAME.CLUSTER.orch.local</c> (lower case).
/// </summary>
public static partial class DiscoveryNames
{
    public const string Zone = "orch.local";

    /// <summary>The registry's name (a DNS label, lower case), or null when the value is not one of the accepted forms.</summary>
    public static string? RegistryName(string? registryArn)
    {
        if (string.IsNullOrEmpty(registryArn) || registryArn.Length > 1600)
        {
            return null;
        }

        var name = registryArn;
        if (registryArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            var parts = registryArn.Split(':', 6);
            if (parts.Length != 6 || parts[2] != "servicediscovery" || !parts[5].StartsWith("service/", StringComparison.Ordinal))
            {
                return null;
            }

            name = parts[5]["service/".Length..];
            name = name.StartsWith("srv-", StringComparison.Ordinal) ? name[4..] : name;
        }

        return IsLabel(name) ? name.ToLowerInvariant() : null;
    }

    /// <summary>A DNS label as host names have them: 1 to 63 letters, digits and hyphens, no hyphen at either end.</summary>
    public static bool IsLabel(string value) => LabelPattern().IsMatch(value);

    /// <summary>The cluster's label in discovery names: its name in lower case (ECS cluster names may hold underscores, which DNS carries).</summary>
    public static string? ClusterLabel(string clusterName) =>
        clusterName.Length is > 0 and <= 63 ? clusterName.ToLowerInvariant() : null;

    public static string Domain(string registry, string cluster) => $"{registry}.{cluster.ToLowerInvariant()}.{Zone}";

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelPattern();
}
