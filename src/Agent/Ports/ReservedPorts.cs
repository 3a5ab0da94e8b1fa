using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Ports;

/// <summary>The host ports no task may use, as the ECS agent reserves them: the OS's defaults plus the configured ones. Pure.</summary>
public static class ReservedPorts
{
    /// <summary>The TCP ports the ECS agent always reserves on Linux: SSH, the Docker API and the ECS agent's own.</summary>
    public static IReadOnlyList<int> DefaultTcp { get; } = [22, 2375, 2376, 51678, 51679];

    /// <summary>
    /// The TCP ports the ECS agent reserves on Windows: the Docker API and its own, plus DNS, RPC, NetBIOS, SMB, RDP and
    /// WinRM, which Windows itself listens on.
    /// </summary>
    public static IReadOnlyList<int> WindowsTcp { get; } = [53, 135, 139, 445, 2375, 2376, 3389, 5985, 5986, 51678, 51679];

    /// <summary>The TCP ports no task may use on a host of <paramref name="osType"/>: its defaults and <paramref name="extra"/>.</summary>
    public static IReadOnlyList<int> Tcp(string osType, IEnumerable<int> extra)
    {
        var defaults = DockerOs.IsWindows(osType) ? WindowsTcp : DefaultTcp;
        return [.. defaults.Concat(extra).Distinct().Order()];
    }

    /// <summary>The UDP ports no task may use: the configured ones (<paramref name="extra"/>).</summary>
    public static IReadOnlyList<int> Udp(IEnumerable<int> extra) => [.. extra.Distinct().Order()];
}
