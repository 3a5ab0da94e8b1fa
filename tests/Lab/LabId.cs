using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Orchestrator.Lab;

/// <summary>
/// The name every resource of one lab carries, <c>olab</c> and four hex digits: its bridge, network namespaces,
/// veths, iptables rules, cgroups and its directory <c>/tmp/olabXXXX</c>. Resources of a lab whose owner process is
/// gone can therefore always be found and removed (<see cref="LabSweeper"/>).
/// </summary>
public sealed partial record LabId
{
    public const string Prefix = "olab";

    /// <summary>Where lab directories live: short and fixed, so unix socket paths stay short and sweeps look in one place.</summary>
    public const string Root = "/tmp";

    private LabId(string value) => Value = value;

    public string Value { get; }

    /// <summary>The lab's directory: control plane state, one directory per host (Docker data, sockets, agent state).</summary>
    public string Directory => Path.Combine(Root, Value);

    public string Bridge => Value;

    public static LabId New() => new(Prefix + RandomNumberGenerator.GetHexString(4, lowercase: true));

    /// <summary>The lab id a resource name starts with (<c>olab1a2b</c>, <c>olab1a2b-h1</c>), if any.</summary>
    public static LabId? FromName(string name)
    {
        var match = NamePattern().Match(name);
        return match.Success ? new LabId(match.Groups[1].Value) : null;
    }

    /// <summary>Every lab id mentioned anywhere in <paramref name="text"/> (a command line, an iptables rule, a path).</summary>
    public static IEnumerable<LabId> Mentioned(string text) =>
        MentionPattern().Matches(text).Select(m => new LabId(m.Groups[1].Value));

    public string Netns(string host) => $"{Value}-{host}";

    /// <summary>The host's veth in the root namespace, a port of the lab bridge (at most 15 characters: olab1a2b-h1).</summary>
    public string Veth(string host) => $"{Value}-{host}";

    /// <summary>The other end's name until it is moved into the host's namespace and renamed eth0.</summary>
    public string VethPeer(string host) => $"{Value}-{host}p";

    /// <summary>The cgroup the host's dockerd puts its containers under, so leftover container processes are found too.</summary>
    public string CgroupParent(string host) => $"/{Value}-{host}";

    public override string ToString() => Value;

    [GeneratedRegex("^(olab[0-9a-f]{4})(-|$)")]
    private static partial Regex NamePattern();

    [GeneratedRegex("(?<![0-9a-z])(olab[0-9a-f]{4})(?![0-9a-z])")]
    private static partial Regex MentionPattern();
}
