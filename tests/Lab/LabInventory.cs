using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Orchestrator.Lab;

public enum LabResourceKind
{
    Process,
    Mount,
    NetworkNamespace,
    Link,
    IptablesRule,
    Cgroup,
    ShimSocket,
    Directory,
}

/// <summary>One thing on this machine that belongs to a lab; <see cref="Name"/> is what removes it (pid, path, name, rule).</summary>
public sealed record LabResource(LabId Id, LabResourceKind Kind, string Name, string Description)
{
    public override string ToString() => $"{Kind} {Description}";
}

/// <summary>
/// Finds every resource of every lab on this machine by its <see cref="LabId"/>: processes (by the lab directory in
/// their command line, their cgroup, or their network namespace), mounts, network namespaces, links, iptables rules,
/// cgroups and directories. Read-only; <see cref="LabSweeper"/> removes what it finds.
/// </summary>
public static partial class LabInventory
{
    public static IReadOnlyList<LabResource> Find(LabId? only = null)
    {
        var found = new List<LabResource>();
        var namespaces = Namespaces();
        found.AddRange(namespaces);
        found.AddRange(Processes(namespaces));
        found.AddRange(Mounts());
        found.AddRange(Links());
        found.AddRange(IptablesRules());
        found.AddRange(Cgroups());
        found.AddRange(ShimSockets());
        found.AddRange(Directories());
        return only is null ? found : [.. found.Where(r => r.Id == only)];
    }

    private static List<LabResource> Namespaces()
    {
        var result = Commands.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(10));
        return [.. Lines(result.Stdout)
            .Select(line => line.Split(' ')[0])
            .Select(name => (Name: name, Id: LabId.FromName(name)))
            .Where(n => n.Id is not null)
            .Select(n => new LabResource(n.Id!, LabResourceKind.NetworkNamespace, n.Name, n.Name))];
    }

    private static IEnumerable<LabResource> Processes(IReadOnlyList<LabResource> namespaces)
    {
        var byPid = new Dictionary<int, LabId>();
        foreach (var ns in namespaces)
        {
            foreach (var line in Lines(Commands.Run("ip", ["netns", "pids", ns.Name], TimeSpan.FromSeconds(10)).Stdout))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    byPid.TryAdd(pid, ns.Id);
                }
            }
        }

        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            var id = Match(LabDirectoryPattern(), ReadProc(dir, "cmdline")) ?? Match(LabCgroupPattern(), ReadProc(dir, "cgroup"));
            if (id is not null)
            {
                byPid.TryAdd(pid, id);
            }
        }

        foreach (var (pid, id) in byPid)
        {
            var state = ProcessState(pid);
            if (state is not null and not 'Z')
            {
                var command = ReadProc($"/proc/{pid}", "cmdline").Replace('\0', ' ').Trim();
                yield return new LabResource(id, LabResourceKind.Process, pid.ToString(CultureInfo.InvariantCulture), $"{pid} {command}");
            }
        }
    }

    private static IEnumerable<LabResource> Mounts()
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && Match(MountPattern(), fields[4]) is { } id)
            {
                // Lab paths have no characters that mountinfo escapes (space, tab, newline, backslash).
                yield return new LabResource(id, LabResourceKind.Mount, fields[4], fields[4]);
            }
        }
    }

    private static IEnumerable<LabResource> Links()
    {
        foreach (var line in Lines(Commands.Run("ip", ["-o", "link", "show"], TimeSpan.FromSeconds(10)).Stdout))
        {
            // "7: olab1a2b-h1@if6: <BROADCAST,…"
            var parts = line.Split(':', 3);
            if (parts.Length < 3)
            {
                continue;
            }

            var name = parts[1].Trim().Split('@')[0];
            if (LabId.FromName(name) is { } id)
            {
                yield return new LabResource(id, LabResourceKind.Link, name, name);
            }
        }
    }

    private static IEnumerable<LabResource> IptablesRules()
    {
        foreach (var line in Lines(Commands.Run("iptables", ["-w", "10", "-S"], TimeSpan.FromSeconds(15)).Stdout))
        {
            if (line.StartsWith("-A ", StringComparison.Ordinal))
            {
                foreach (var id in LabId.Mentioned(line).Distinct())
                {
                    yield return new LabResource(id, LabResourceKind.IptablesRule, line, line);
                }
            }
        }
    }

    private static IEnumerable<LabResource> Cgroups()
    {
        const string root = "/sys/fs/cgroup";
        if (!System.IO.Directory.Exists(root))
        {
            yield break;
        }

        // cgroup v2: /sys/fs/cgroup/olab1a2b-h1; v1: /sys/fs/cgroup/<controller>/olab1a2b-h1.
        var candidates = System.IO.Directory.EnumerateDirectories(root)
            .Concat(System.IO.Directory.EnumerateDirectories(root).Where(d => LabId.FromName(Path.GetFileName(d)) is null).SelectMany(SafeSubdirectories));
        foreach (var dir in candidates)
        {
            if (LabId.FromName(Path.GetFileName(dir)) is { } id)
            {
                yield return new LabResource(id, LabResourceKind.Cgroup, dir, dir);
            }
        }
    }

    /// <summary>
    /// A containerd shim listens on /run/containerd/s/SHA256(containerd address/namespace/container id), outside the lab
    /// directory; a shim that was killed leaves it there. Found from the task state the lab's containerd kept.
    /// </summary>
    private static IEnumerable<LabResource> ShimSockets()
    {
        foreach (var lab in Directories())
        {
            foreach (var host in SafeSubdirectories(lab.Name))
            {
                var tasks = Path.Combine(host, "run", "containerd", "state", "io.containerd.runtime.v2.task");
                foreach (var task in SafeSubdirectories(tasks).SelectMany(SafeSubdirectories))
                {
                    var key = $"{LabHost.ContainerdSocketIn(host)}/{Path.GetFileName(Path.GetDirectoryName(task))}/{Path.GetFileName(task)}";
                    var socket = "/run/containerd/s/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
                    if (File.Exists(socket))
                    {
                        yield return new LabResource(lab.Id, LabResourceKind.ShimSocket, socket, $"{socket} (shim of {Path.GetFileName(task)})");
                    }
                }
            }
        }
    }

    private static IEnumerable<LabResource> Directories() =>
        System.IO.Directory.EnumerateDirectories(LabId.Root, LabId.Prefix + "*")
            .Select(dir => (Dir: dir, Id: LabId.FromName(Path.GetFileName(dir))))
            .Where(d => d.Id is not null && d.Id.Value == Path.GetFileName(d.Dir))
            .Select(d => new LabResource(d.Id!, LabResourceKind.Directory, d.Dir, d.Dir));

    private static IEnumerable<string> SafeSubdirectories(string dir)
    {
        try
        {
            return System.IO.Directory.GetDirectories(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static char? ProcessState(int pid)
    {
        var stat = ReadProc($"/proc/{pid}", "stat");
        var end = stat.LastIndexOf(')');
        return end > 0 && end + 2 < stat.Length ? stat[end + 2] : null;
    }

    private static string ReadProc(string dir, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static LabId? Match(Regex pattern, string text) =>
        pattern.Match(text) is { Success: true } m ? LabId.FromName(m.Groups[1].Value) : null;

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex(@"/tmp/(olab[0-9a-f]{4})(?:/|\x00|$)")]
    private static partial Regex LabDirectoryPattern();

    [GeneratedRegex("/(olab[0-9a-f]{4})-")]
    private static partial Regex LabCgroupPattern();

    [GeneratedRegex(@"^(?:/tmp/|/run/netns/)(olab[0-9a-f]{4})(?:/|-|$)")]
    private static partial Regex MountPattern();
}
