using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Metadata;

/// <summary>
/// Where bridge containers reach the host: the Docker bridge network's IPv4 gateway. Docker names it in the network's
/// IPAM config only from its second start on: an engine's first start (a new install, no docker0 and an empty network
/// store) reports the subnet alone until dockerd restarts (moby/moby#26799). The gateway is then the address of the
/// interface the network's <c>com.docker.network.bridge.name</c> option names, and failing that the subnet's first host
/// address, which is Docker's own choice for a subnet given without a gateway.
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

        var subnets = network.Subnets
            .Select(s => IPNetwork.TryParse(s.Cidr, out var subnet) && subnet.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? subnet : (IPNetwork?)null)
            .OfType<IPNetwork>().ToList();
        if (network.Options.TryGetValue(BridgeNameOption, out var bridge) && !string.IsNullOrEmpty(bridge))
        {
            var onBridge = (interfaceAddresses ?? InterfaceAddresses)(bridge).Where(a => a.AddressFamily == AddressFamily.InterNetwork);
            if (onBridge.FirstOrDefault(a => subnets.Count == 0 || subnets.Any(s => s.Contains(a))) is { } address)
            {
                return address;
            }
        }

        return subnets.Count > 0 && subnets[0].PrefixLength < 31 ? FirstHost(subnets[0].BaseAddress) : null;
    }

    /// <summary>The addresses of the host's interface named <paramref name="name"/> (none when there is none).</summary>
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

    /// <summary>The address after a network's own (its host bits are zero, so the last byte has room for one more).</summary>
    private static IPAddress FirstHost(IPAddress network)
    {
        var bytes = network.GetAddressBytes();
        bytes[3]++;
        return new IPAddress(bytes);
    }
}
