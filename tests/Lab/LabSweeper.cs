using System.Globalization;

namespace Orchestrator.Lab;

/// <summary>
/// Removes what a lab left on this machine, in the order that lets each step succeed: processes (SIGKILL, so
/// nothing holds mounts or namespaces), mounts (lazily detached, deepest first), network namespaces, links, iptables
/// rules, cgroups, killed shims' sockets, and last the directory (which also holds the owner file). Synchronous and time-boxed, so it can
/// also run from a process-exit handler. Used by a lab's teardown, and at the start of every lab for the debris of
/// earlier runs whose owner process is gone.
/// </summary>
public static class LabSweeper
{
    private static readonly TimeSpan ProcessExitWait = TimeSpan.FromSeconds(10);

    /// <summary>Sweeps every lab whose owner process no longer runs; returns their ids.</summary>
    public static async Task<IReadOnlyList<LabId>> SweepAbandonedAsync()
    {
        using (await LabLock.AcquireAsync(TimeSpan.FromSeconds(60), CancellationToken.None))
        {
            return SweepAbandoned();
        }
    }

    /// <summary>Sweeps every lab whose owner process no longer runs. Call under <see cref="LabLock"/>.</summary>
    internal static IReadOnlyList<LabId> SweepAbandoned()
    {
        var abandoned = LabInventory.Find().Select(r => r.Id).Distinct().Where(id => !LabOwner.IsAlive(id)).ToList();
        foreach (var id in abandoned)
        {
            Sweep(id);
        }

        return abandoned;
    }

    /// <summary>Removes everything of lab <paramref name="id"/>; returns what is left (nothing, normally).</summary>
    public static IReadOnlyList<LabResource> Sweep(LabId id)
    {
        KillProcesses(id);
        var found = LabInventory.Find(id);

        foreach (var mount in found.Where(r => r.Kind == LabResourceKind.Mount && !r.Name.StartsWith("/run/netns/", StringComparison.Ordinal))
                     .OrderByDescending(r => r.Name.Count(c => c == '/')))
        {
            _ = Native.Umount2(mount.Name, Native.MNT_DETACH);
        }

        foreach (var ns in found.Where(r => r.Kind == LabResourceKind.NetworkNamespace))
        {
            Commands.Run("ip", ["netns", "delete", ns.Name], TimeSpan.FromSeconds(10));
        }

        foreach (var mount in LabInventory.Find(id).Where(r => r.Kind == LabResourceKind.Mount))
        {
            _ = Native.Umount2(mount.Name, Native.MNT_DETACH);
        }

        // A veth disappears with its namespace; what is left is the bridge and any veth whose namespace is gone.
        foreach (var link in LabInventory.Find(id).Where(r => r.Kind == LabResourceKind.Link))
        {
            Commands.Run("ip", ["link", "delete", link.Name], TimeSpan.FromSeconds(10));
        }

        foreach (var rule in found.Where(r => r.Kind == LabResourceKind.IptablesRule))
        {
            // "-A CHAIN spec…" is deleted by "-D CHAIN spec…"; lab rules carry no quoted words.
            Commands.Run("iptables", ["-w", "10", "-D", .. rule.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]], TimeSpan.FromSeconds(15));
        }

        RemoveCgroups(found.Where(r => r.Kind == LabResourceKind.Cgroup).Select(r => r.Name));

        foreach (var socket in found.Where(r => r.Kind == LabResourceKind.ShimSocket))
        {
            File.Delete(socket.Name); // its shim was killed above
        }

        if (Directory.Exists(id.Directory) && !LabInventory.Find(id).Any(r => r.Kind == LabResourceKind.Mount))
        {
            // --one-file-system: never descend into something mounted after the check above.
            Commands.Run("rm", ["-rf", "--one-file-system", id.Directory], TimeSpan.FromSeconds(60));
        }

        return LabInventory.Find(id);
    }

    private static void KillProcesses(LabId id)
    {
        // A few rounds: a daemon may start a child between the scan and the kill.
        for (var round = 0; round < 3; round++)
        {
            var pids = LabInventory.Find(id).Where(r => r.Kind == LabResourceKind.Process)
                .Select(r => int.Parse(r.Name, CultureInfo.InvariantCulture)).ToList();
            if (pids.Count == 0)
            {
                return;
            }

            foreach (var pid in pids)
            {
                _ = Native.Kill(pid, Native.SIGKILL);
            }

            var deadline = DateTime.UtcNow + ProcessExitWait;
            while (DateTime.UtcNow < deadline && pids.Any(IsRunning))
            {
                Thread.Sleep(50);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void RemoveCgroups(IEnumerable<string> roots)
    {
        // Containers' cgroups first, then the parent; a cgroup whose last process just died can be busy for a moment.
        var all = roots.SelectMany(root => Directory.Exists(root)
                ? Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root)
                : [])
            .OrderByDescending(d => d.Count(c => c == '/'))
            .ToList();
        for (var attempt = 0; attempt < 20 && all.Count > 0; attempt++)
        {
            all = [.. all.Where(dir =>
            {
                try
                {
                    Directory.Delete(dir);
                    return false;
                }
                catch (DirectoryNotFoundException)
                {
                    return false;
                }
                catch (IOException)
                {
                    return true;
                }
            })];
            if (all.Count > 0)
            {
                Thread.Sleep(100);
            }
        }
    }
}
