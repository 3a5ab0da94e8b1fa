using System.Globalization;

namespace Orchestrator.Agent.Ports;

/// <summary>The inclusive range the agent picks dynamic host ports from.</summary>
public sealed record DynamicPortRange(int First, int Last)
{
    /// <summary>ECS's range when the host's ephemeral range cannot be read.</summary>
    public static readonly DynamicPortRange Fallback = new(49153, 65535);

    /// <summary>Linux's ephemeral port range of the network namespace the agent runs in.</summary>
    public const string LinuxEphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    public int Count => Last - First + 1;

    public bool Contains(int port) => port >= First && port <= Last;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");

    /// <summary><c>first-last</c> (as the option is written) or <c>first&lt;whitespace&gt;last</c> (as ip_local_port_range is).</summary>
    public static bool TryParse(string? text, out DynamicPortRange range)
    {
        range = Fallback;
        var parts = (text ?? "").Split(['-', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            || first < 1 || last > 65535 || first > last)
        {
            return false;
        }

        range = new DynamicPortRange(first, last);
        return true;
    }

    /// <summary>
    /// The range to use: the configured one; else, when Docker runs on this machine (a unix socket), the ephemeral
    /// range of the agent's network namespace — the Docker host's, as long as both run in the same namespace; else
    /// (a remote Docker host, or the file cannot be read) ECS's <see cref="Fallback"/>.
    /// </summary>
    public static DynamicPortRange Resolve(string? configured, string dockerHost, Func<string, string?> readFile)
    {
        ArgumentNullException.ThrowIfNull(readFile);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return TryParse(configured, out var range) ? range : throw new FormatException($"'{configured}' is not a port range (first-last).");
        }

        var local = Uri.TryCreate(dockerHost, UriKind.Absolute, out var uri) && uri.Scheme == "unix";
        return local && TryParse(readFile(LinuxEphemeralRangeFile), out var ephemeral) ? ephemeral : Fallback;
    }
}
