namespace Orchestrator.Lab;

/// <summary>What the lab needs from this machine, checked before anything is created, with what to do about it.</summary>
internal static class LabPreconditions
{
    private static readonly string[] Tools = ["ip", "nsenter", "iptables", "containerd", "dockerd", "docker", "rm"];

    public static void Check(LabOptions options)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The lab needs Linux: network namespaces, a bridge and a dockerd per host.");
        }

        if (Native.GetEuid() != 0)
        {
            throw new InvalidOperationException("The lab needs root: it creates network namespaces, a bridge, iptables rules and runs a dockerd per host.");
        }

        var missing = Tools.Where(tool => FindOnPath(tool) is null).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"The lab needs {string.Join(", ", missing)} on PATH; scripts/ensure-lab.sh installs them.");
        }

        if (options.Hosts is < 1 or > LabNetwork.MaxHosts)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"A lab has 1 to {LabNetwork.MaxHosts} hosts, not {options.Hosts}.");
        }

        if (options.AgentHeartbeatInterval * 2 >= options.AgentHeartbeatTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(options),
                $"AgentHeartbeatInterval ({options.AgentHeartbeatInterval}) must be well under AgentHeartbeatTimeout ({options.AgentHeartbeatTimeout}), or healthy agents are marked disconnected.");
        }
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}
