using System.Net;
using System.Net.Sockets;

namespace Orchestrator.ControlPlane.Networking;

/// <summary>IPv4 addresses as 32-bit numbers, for address arithmetic. Pure.</summary>
public static class Ipv4
{
    public static bool TryParse(string? text, out uint address)
    {
        address = 0;
        if (string.IsNullOrWhiteSpace(text) || !IPAddress.TryParse(text.Trim(), out var parsed) || parsed.AddressFamily != AddressFamily.InterNetwork
            || text.Trim().Count(c => c == '.') != 3)
        {
            return false;
        }

        var bytes = parsed.GetAddressBytes();
        address = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        return true;
    }

    public static string Format(uint address) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}");

    /// <summary>Parses <c>a.b.c.d/n</c> (n 0–32) into the network's first address and the prefix length.</summary>
    public static bool TryParseCidr(string? text, out uint network, out int prefixLength)
    {
        network = 0;
        prefixLength = 0;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash < 0
            || !TryParse(text![..slash], out var address)
            || !int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefixLength)
            || prefixLength is < 0 or > 32)
        {
            return false;
        }

        network = address & Mask(prefixLength);
        return network == address;
    }

    public static uint Mask(int prefixLength) => prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);
}
