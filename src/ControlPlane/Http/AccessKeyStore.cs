using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// The access keys the ECS API accepts: from configuration (<c>ControlPlane:AccessKeys</c>) and from the file named by
/// <c>ControlPlane:AccessKeysFile</c> (<c>--access-keys-file</c>), one <c>ACCESS_KEY_ID SECRET_ACCESS_KEY</c> pair per
/// line, <c>#</c> comments allowed.
/// </summary>
public sealed class AccessKeyStore
{
    private readonly FrozenDictionary<string, string> _secrets;

    public AccessKeyStore(IOptions<ControlPlaneOptions> options)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in options.Value.AccessKeys)
        {
            keys[key.AccessKeyId] = key.SecretAccessKey;
        }

        if (options.Value.AccessKeysFile is { Length: > 0 } file)
        {
            foreach (var (id, secret) in ReadFile(file))
            {
                keys[id] = secret;
            }
        }

        _secrets = keys.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public bool IsEmpty => _secrets.Count == 0;

    public string? SecretOf(string accessKeyId) => _secrets.GetValueOrDefault(accessKeyId);

    public static IEnumerable<(string Id, string Secret)> ReadFile(string path)
    {
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split([' ', '\t', ':'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length != 2)
            {
                throw new InvalidOperationException($"{path}:{number}: expected 'ACCESS_KEY_ID SECRET_ACCESS_KEY'.");
            }

            yield return (parts[0], parts[1]);
        }
    }
}

public sealed class AccessKey
{
    public string AccessKeyId { get; set; } = "";
    public string SecretAccessKey { get; set; } = "";
}
