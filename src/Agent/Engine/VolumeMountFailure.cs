using System.Text.RegularExpressions;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// Docker's answer when a container could not start because the local driver could not mount one of its volumes
/// ("error while mounting volume '…/volumes/NAME/_data': failed to mount local volume: mount DEVICE:TARGET, data: OPTIONS:
/// KERNEL ERROR"), told as ECS's <c>ResourceInitializationError</c> naming the task's volume, for NFS its server and
/// export, and the kernel's error. The mount options (<c>data:</c>, which for other file systems such as cifs may hold a
/// password) are never repeated. Pure.
/// </summary>
public static partial class VolumeMountFailure
{
    /// <summary>The reason, or null when <paramref name="dockerMessage"/> is not a mount failure of one of <paramref name="volumes"/>.</summary>
    public static string? Reason(string dockerMessage, IReadOnlyDictionary<string, ResolvedVolume> volumes)
    {
        ArgumentNullException.ThrowIfNull(dockerMessage);
        ArgumentNullException.ThrowIfNull(volumes);
        var match = MountErrorPattern().Match(dockerMessage);
        if (!match.Success)
        {
            return null;
        }

        var dockerName = match.Groups["name"].Value;
        if (volumes.Values.FirstOrDefault(v => v.Docker?.Name == dockerName) is not { Docker: { } docker } volume)
        {
            return null;
        }

        var error = KernelError(match.Groups["rest"].Value);
        var options = docker.DriverOptions;
        if (options.TryGetValue("type", out var type) && type is "nfs" or "nfs4")
        {
            var server = options.TryGetValue("o", out var o) ? AddrPattern().Match(o) is { Success: true } addr ? addr.Groups["addr"].Value : "" : "";
            var device = options.TryGetValue("device", out var d) ? d : "";
            var source = device.StartsWith(':') ? server + device : device;
            return $"ResourceInitializationError: failed to mount NFS volume {volume.Name} from {source}: {error}";
        }

        return $"ResourceInitializationError: failed to mount Docker volume {volume.Name} (driver {docker.Driver}): {error}";
    }

    /// <summary>The last part of "mount …, data: …: no such device": what the kernel (mount(2)) answered.</summary>
    private static string KernelError(string rest)
    {
        var data = rest.IndexOf(", data: ", StringComparison.Ordinal);
        var tail = data >= 0 ? rest[(data + ", data: ".Length)..] : rest;
        var colon = tail.LastIndexOf(": ", StringComparison.Ordinal);
        var error = colon >= 0 ? tail[(colon + 2)..] : data >= 0 ? "mount failed" : tail;
        return error.Length > 200 ? error[..200] : error;
    }

    [GeneratedRegex(@"error while mounting volume '[^']*/(?<name>[^/']+)/_data': (?<rest>.*)$", RegexOptions.Singleline)]
    private static partial Regex MountErrorPattern();

    [GeneratedRegex(@"(?:^|,)addr=(?<addr>[^,]+)")]
    private static partial Regex AddrPattern();
}
