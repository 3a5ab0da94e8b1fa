using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Metadata;

/// <summary>
/// Where bridge containers reach the host: the Docker bridge network's IPv4 gateway. Docker names it in the network's
/// IPAM config only when it made the bridge interface itself; a dockerd started while <c>docker0</c> already existed
/// (a restarted engine) reports the subnet alone. The gateway is then the address of the interface the network's
/// <c>com.docker.network.bridge.name</c> option names, and failing that the subnet's first host address, which is
/// Docker's own choice for a subnet given without a gateway.
/// </summary>
public static class BridgeGateway
{
    public const string BridgeNameOption = "com.docker.network.bridge.name";

    /// <summary>The gateway of <paramref name="network"/>, or null when it has no IPv4 subnet or gateway at all.</summary>
    public static IPAddress? Find(NetworkInspection network, Func<string, IEnumerable<IPAddress>>? interfaceAddresses = null)
    {
        if (network.Subnets.Select(s => IPAddress.TryParse(s.Gateway, out var a) ? a : null)
            .FirstOrDefault(a => a?.AddressFamily == AddressFamily.InterNetwork) is { } named)
        {
            return named;
        }

        var subnets = network.Subnets.Select(s => Ipv4Subnet(s.Cidr)).OfType<(IPAddress Network, int Prefix)>().ToList();
        if (network.Options.TryGetValue(BridgeNameOption, out var bridge) && !string.IsNullOrEmpty(bridge))
        {
            var onBridge = (interfaceAddresses ?? InterfaceAddresses)(bridge).Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToList();
            if (onBridge.FirstOrDefault(a => subnets.Count == 0 || subnets.Any(s => Contains(s, a))) is { } address)
            {
                return address;
            }
        }

        return subnets.Count > 0 && subnets[0].Prefix < 31 ? Add(subnets[0].Network, 1) : null;
    }

    /// <summary>The IPv4 addresses of the host's interface named <paramref name="name"/> (none when there is none).</summary>
    public static IEnumerable<IPAddress> InterfaceAddresses(string name)
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces().Where(n => n.Name == name)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address)).ToList();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }

    private static (IPAddress Network, int Prefix)? Ipv4Subnet(string? cidr)
    {
        var slash = cidr?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash < 0 || !IPAddress.TryParse(cidr![..slash], out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(cidr[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix)
            || prefix > 32)
        {
            return null;
        }

        return (Add(address, 0, prefix), prefix);
    }

    private static bool Contains((IPAddress Network, int Prefix) subnet, IPAddress address) =>
        Add(address, 0, subnet.Prefix).Equals(subnet.Network);

    /// <summary><paramref name="address"/> masked to <paramref name="prefix"/> bits, plus <paramref name="offset"/>.</summary>
    private static IPAddress Add(IPAddress address, uint offset, int prefix = 32)
    {
        var bytes = address.GetAddressBytes();
        var value = (uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3];
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        value = (value & mask) + offset;
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }
}
