using System.Net;

namespace Orchestrator.Lab;

/// <summary>
/// The lab's wire: a bridge in the root namespace with the subnet 10.99.N.0/24 (N chosen free on this machine) and
/// the address 10.99.N.1, where the control plane listens. Hosts are 10.99.N.2, .3, …; each host may hand out
/// 10.99.N.(64 + 16·(i−1))/28 to macvlan containers. iptables rules let lab traffic through the root namespace's
/// FORWARD chain (which the root dockerd sets to DROP) and INPUT chain, and keep it from being forwarded anywhere
/// else. Removed by <see cref="LabSweeper"/>.
/// </summary>
public sealed class LabNetwork
{
    public const int MaxHosts = 8;

    private LabNetwork(LabId id, int subnetIndex)
    {
        Id = id;
        SubnetIndex = subnetIndex;
    }

    public LabId Id { get; }

    /// <summary>N of 10.99.N.0/24.</summary>
    public int SubnetIndex { get; }

    public string Bridge => Id.Bridge;

    public string Subnet => $"10.99.{SubnetIndex}.0/24";

    /// <summary>The root namespace's address on the lab (the hosts' default gateway).</summary>
    public IPAddress Gateway => Address(1);

    public IPAddress Address(int lastOctet) => IPAddress.Parse($"10.99.{SubnetIndex}.{lastOctet}");

    /// <summary>The address of host number <paramref name="index"/> (1-based).</summary>
    public IPAddress HostAddress(int index) => Address(1 + index);

    /// <summary>The /28 the macvlan network of host <paramref name="index"/> (1-based) allocates from, so hosts never hand out the same IP.</summary>
    public string MacvlanRange(int index) => $"10.99.{SubnetIndex}.{64 + (16 * (index - 1))}/28";

    /// <summary>Creates the bridge on a free 10.99.N.0/24. Call under <see cref="LabLock"/> so two labs never take the same N.</summary>
    internal static async Task<LabNetwork> CreateAsync(LabId id)
    {
        var used = (await Run("ip", "-4", "-o", "addr", "show")).Stdout + (await Run("ip", "-4", "route", "show", "table", "all")).Stdout;
        var start = Random.Shared.Next(1, 255);
        var index = Enumerable.Range(0, 254).Select(i => ((start - 1 + i) % 254) + 1)
            .FirstOrDefault(n => !used.Contains($"10.99.{n}.", StringComparison.Ordinal));
        if (index == 0)
        {
            throw new InvalidOperationException("No free 10.99.N.0/24 subnet for a lab on this machine.");
        }

        var network = new LabNetwork(id, index);
        (await Run("ip", "link", "add", network.Bridge, "type", "bridge")).EnsureSuccess();
        (await Run("ip", "addr", "add", $"{network.Gateway}/24", "dev", network.Bridge)).EnsureSuccess();
        (await Run("ip", "link", "set", network.Bridge, "up")).EnsureSuccess();

        // The root dockerd puts DOCKER-USER first in FORWARD and sets FORWARD's policy to DROP; bridged lab traffic
        // passes through FORWARD when br_netfilter is loaded. Without a root dockerd, FORWARD itself will do.
        var chain = (await Run("iptables", "-w", "10", "-S", "DOCKER-USER")).Succeeded ? "DOCKER-USER" : "FORWARD";
        (await Run("iptables", "-w", "10", "-I", chain, "-i", network.Bridge, "-o", network.Bridge, "-m", "comment", "--comment", id.Value, "-j", "ACCEPT")).EnsureSuccess();
        (await Run("iptables", "-w", "10", "-I", "INPUT", "-i", network.Bridge, "-m", "comment", "--comment", id.Value, "-j", "ACCEPT")).EnsureSuccess();
        // Nothing leaves the lab through the root namespace (it forwards for its own dockerd), whatever FORWARD's policy.
        (await Run("iptables", "-w", "10", "-I", "FORWARD", "-i", network.Bridge, "!", "-o", network.Bridge, "-m", "comment", "--comment", id.Value, "-j", "DROP")).EnsureSuccess();
        return network;
    }

    private static Task<CommandResult> Run(params string[] command) => Commands.RunAsync(command[0], command[1..], TimeSpan.FromSeconds(20));
}
