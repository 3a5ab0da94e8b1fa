using System.Net;
using System.Text.RegularExpressions;

namespace Orchestrator.Ecs.Validation;

/// <summary>
/// An NFS export as <c>efsVolumeConfiguration</c> names it here: <c>fileSystemId</c> = <c>SERVER:/EXPORT</c> (a host name
/// or IPv4 address, then an absolute path) and <c>rootDirectory</c> a directory under that export. Both end up in a mount
/// option string (<c>o=addr=SERVER,…</c>, <c>device=:/EXPORT/ROOT</c>), so only characters that cannot start another
/// option or path are allowed: no spaces, commas, <c>=</c>, quotes, control characters, and no <c>..</c> segment.
/// </summary>
public sealed partial record NfsExport(string Server, string Export, string RootDirectory)
{
    /// <summary>What the Docker local driver mounts: <c>:/EXPORT/ROOT</c> (the server goes in <c>addr=</c>).</summary>
    public string Device => ":" + Path;

    /// <summary>The export and the root directory joined: <c>/exports/data</c> + <c>/web</c> = <c>/exports/data/web</c>.</summary>
    public string Path => RootDirectory == "/" ? Export : Export.TrimEnd('/') + RootDirectory;

    public override string ToString() => $"{Server}:{Path}";

    /// <summary>Parses and checks; throws ECS's ClientException naming the volume and the bad value otherwise.</summary>
    public static NfsExport Parse(string volume, string? fileSystemId, string? rootDirectory)
    {
        if (string.IsNullOrEmpty(fileSystemId))
        {
            throw EcsException.Client($"Invalid efsVolumeConfiguration for volume '{volume}'. fileSystemId must be set to an NFS export, SERVER:/EXPORT.");
        }

        var colon = fileSystemId.IndexOf(':', StringComparison.Ordinal);
        if (fileSystemId.Length > 1024 || colon <= 0)
        {
            throw EcsException.Client($"Invalid fileSystemId for volume '{volume}'. Use an NFS export, SERVER:/EXPORT (for example 10.0.0.5:/exports/data).");
        }

        var server = fileSystemId[..colon];
        var export = fileSystemId[(colon + 1)..];
        if (!IsServer(server))
        {
            throw EcsException.Client($"Invalid fileSystemId for volume '{volume}'. The NFS server must be a host name or an IPv4 address.");
        }

        if (!IsPath(export))
        {
            throw EcsException.Client($"Invalid fileSystemId for volume '{volume}'. The export must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment.");
        }

        var root = string.IsNullOrEmpty(rootDirectory) ? "/" : rootDirectory;
        if (!IsPath(root) || root.Length > 4096)
        {
            throw EcsException.Client($"Invalid rootDirectory for volume '{volume}'. It must be an absolute path of letters, digits and . _ - / + @ ~, with no .. segment.");
        }

        root = "/" + root.Trim('/');
        return new NfsExport(server, export.Length > 1 ? export.TrimEnd('/') : export, root);
    }

    private static bool IsServer(string server)
    {
        if (server.Length > 253)
        {
            return false;
        }

        if (IPv4Pattern().IsMatch(server))
        {
            return IPAddress.TryParse(server, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        }

        return HostNamePattern().IsMatch(server) && !server.All(c => char.IsAsciiDigit(c) || c == '.');
    }

    private static bool IsPath(string path) =>
        PathPattern().IsMatch(path) && !path.Split('/').Any(segment => segment is ".." or ".");

    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex IPv4Pattern();

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex HostNamePattern();

    [GeneratedRegex(@"^/[A-Za-z0-9._\-/+@~]*$")]
    private static partial Regex PathPattern();
}
