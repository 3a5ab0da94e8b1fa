using System.Text.RegularExpressions;
using Orchestrator.ControlPlane.Networking;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane;

/// <summary>
/// One subnet as configured: <c>ControlPlane:Subnets:N:Id</c>, <c>Cidr</c>, <c>Range</c>, <c>Gateway</c>,
/// <c>Cluster</c>, <c>Hosts</c>; or the same in one string, <c>--subnet 'ID cidr=… [range=…] [gateway=…]
/// [cluster=…] [hosts=EXPRESSION]'</c> (see <see cref="ParseSpec"/>).
/// </summary>
public sealed partial class SubnetOptions
{
    /// <summary>The name tasks' networkConfiguration uses for it, e.g. <c>subnet-a</c>.</summary>
    public string? Id { get; set; }

    /// <summary>The subnet, e.g. <c>10.20.0.0/24</c>.</summary>
    public string? Cidr { get; set; }

    /// <summary>The addresses tasks may have, <c>first-last</c>; default: every host address of the subnet.</summary>
    public string? Range { get; set; }

    /// <summary>The tasks' default gateway; default: the subnet's first host address.</summary>
    public string? Gateway { get; set; }

    /// <summary>The cluster (name) whose instances it serves; default: every cluster.</summary>
    public string? Cluster { get; set; }

    /// <summary>A cluster query expression selecting the instances it serves, e.g. <c>attribute:segment == a</c>; default: all.</summary>
    public string? Hosts { get; set; }

    /// <summary>
    /// Reads <c>ID key=value …</c>: the ID first, then <c>cidr</c>, <c>range</c>, <c>gateway</c>, <c>cluster</c>
    /// separated by spaces, and <c>hosts</c> last, as it takes the rest of the line (expressions have spaces).
    /// </summary>
    public static SubnetOptions ParseSpec(string spec, out string? error)
    {
        ArgumentNullException.ThrowIfNull(spec);
        error = null;
        var options = new SubnetOptions();
        var rest = spec.Trim();
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        options.Id = space < 0 ? rest : rest[..space];
        rest = space < 0 ? "" : rest[(space + 1)..].TrimStart();
        while (rest.Length > 0)
        {
            if (rest.StartsWith("hosts=", StringComparison.Ordinal))
            {
                options.Hosts = rest["hosts=".Length..].Trim();
                break;
            }

            space = rest.IndexOf(' ', StringComparison.Ordinal);
            var pair = space < 0 ? rest : rest[..space];
            rest = space < 0 ? "" : rest[(space + 1)..].TrimStart();
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var (key, value) = equals < 0 ? (pair, "") : (pair[..equals], pair[(equals + 1)..]);
            switch (key)
            {
                case "cidr": options.Cidr = value; break;
                case "range": options.Range = value; break;
                case "gateway": options.Gateway = value; break;
                case "cluster": options.Cluster = value; break;
                default:
                    error = $"'{pair}' is not one of cidr=, range=, gateway=, cluster=, hosts=";
                    return options;
            }
        }

        return options;
    }

    /// <summary>
    /// The subnets of the configuration, checked: each well formed, IDs unique, no address in two subnets' ranges.
    /// <paramref name="errors"/> gets a message naming the setting for each problem.
    /// </summary>
    public static IReadOnlyList<Subnet> Build(IReadOnlyList<(string Key, SubnetOptions Options)> configured, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(errors);
        var subnets = new List<(string Key, Subnet Subnet)>();
        foreach (var (key, options) in configured)
        {
            if (options.Check(key, errors) is { } subnet)
            {
                if (subnets.Find(s => s.Subnet.Id == subnet.Id) is { Key: { } other })
                {
                    errors.Add($"{key}: the subnet ID {subnet.Id} is also used by {other}.");
                }
                else if (subnets.Find(s => s.Subnet.First <= subnet.Last && subnet.First <= s.Subnet.Last) is { Key: { } overlapping } found)
                {
                    errors.Add($"{key}: its range {subnet.Range} overlaps {found.Subnet.Id}'s {found.Subnet.Range} ({overlapping}); an address can belong to one subnet only.");
                }
                else
                {
                    subnets.Add((key, subnet));
                }
            }
        }

        return [.. subnets.Select(s => s.Subnet)];
    }

    private Subnet? Check(string key, List<string> errors)
    {
        var count = errors.Count;
        if (string.IsNullOrWhiteSpace(Id) || !IdPattern().IsMatch(Id))
        {
            errors.Add($"{key}: the subnet ID must be 1-64 letters, digits, hyphens or underscores (e.g. subnet-a), not '{Id}'.");
        }

        if (!Ipv4.TryParseCidr(Cidr, out var network, out var prefix) || prefix is < 8 or > 30)
        {
            errors.Add($"{key}: the subnet must be an IPv4 network in CIDR notation with a prefix of 8 to 30 bits (e.g. 10.20.0.0/24), not '{Cidr}'.");
            return null;
        }

        var broadcast = network | ~Ipv4.Mask(prefix);
        uint gateway = network + 1;
        if (Gateway is not null && (!Ipv4.TryParse(Gateway, out gateway) || gateway <= network || gateway >= broadcast))
        {
            errors.Add($"{key}: the gateway must be a host address of {Cidr}, not '{Gateway}'.");
        }

        uint first = network + 1, last = broadcast - 1;
        if (Range is not null)
        {
            var dash = Range.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0 || !Ipv4.TryParse(Range[..dash], out first) || !Ipv4.TryParse(Range[(dash + 1)..], out last)
                || first > last || first <= network || last >= broadcast)
            {
                errors.Add($"{key}: the range must be FIRST-LAST, host addresses of {Cidr} with FIRST <= LAST, not '{Range}'.");
            }
        }

        string? hosts = null;
        if (!string.IsNullOrWhiteSpace(Hosts))
        {
            try
            {
                hosts = MemberOfConstraint.Parse(Hosts).Expression;
            }
            catch (EcsException e)
            {
                errors.Add($"{key}: the hosts expression '{Hosts}' is not a cluster query: {e.Message}");
            }
        }

        if (Cluster is not null && !ClusterPattern().IsMatch(Cluster))
        {
            errors.Add($"{key}: the cluster must be a cluster name, not '{Cluster}'.");
        }

        var subnet = new Subnet
        {
            Id = Id ?? "",
            Network = network,
            PrefixLength = prefix,
            First = first,
            Last = last,
            Gateway = gateway,
            Cluster = Cluster,
            Hosts = hosts,
        };
        if (errors.Count == count && subnet.Size == 0)
        {
            errors.Add($"{key}: the range {subnet.Range} leaves no address for tasks.");
        }

        return errors.Count == count ? subnet : null;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,255}$")]
    private static partial Regex ClusterPattern();
}
