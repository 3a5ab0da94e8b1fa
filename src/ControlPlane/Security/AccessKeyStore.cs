using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Orchestrator.ControlPlane.Security;

/// <summary>
/// The access keys people and tools use: the same keys sign ECS HTTP API calls (SigV4) and <c>orch</c>'s gRPC calls
/// (<see cref="Contracts.CallSignature"/>). Three sources: the operator's, from configuration
/// (<c>ControlPlane:AccessKeys</c>) and the file named by <c>--access-keys-file</c> (one
/// <c>ACCESS_KEY_ID SECRET_ACCESS_KEY</c> pair per line, <c>#</c> comments allowed), which cannot be deleted through
/// the API; the admin key the first secure start creates; and keys created with <c>orch access-key create</c>. The
/// last two live in <c>DATA_DIR/access-keys.json</c>, readable by the owner only (the secrets are needed in the clear
/// to check HMAC signatures, as AWS keeps them).
/// </summary>
public sealed class AccessKeyStore
{
    public const string AdminSource = "admin";
    public const string ApiSource = "api";
    public const string FileSource = "file";
    public const string AdminConfigFileName = "orch-admin.json";

    private readonly Lock _lock = new();
    private readonly FrozenDictionary<string, ManagedAccessKey> _configured;
    private readonly string _file;
    private readonly TimeProvider _clock;
    private List<ManagedAccessKey> _managed;
    private FrozenDictionary<string, ManagedAccessKey> _all;

    public AccessKeyStore(IOptions<ControlPlaneOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock;
        var configured = new Dictionary<string, ManagedAccessKey>(StringComparer.Ordinal);
        foreach (var key in options.Value.AccessKeys)
        {
            configured[key.AccessKeyId] = new ManagedAccessKey { Id = key.AccessKeyId, Secret = key.SecretAccessKey, Source = FileSource };
        }

        if (options.Value.AccessKeysFile is { Length: > 0 } file)
        {
            foreach (var (id, secret) in ReadFile(file))
            {
                configured[id] = new ManagedAccessKey { Id = id, Secret = secret, Source = FileSource };
            }
        }

        _configured = configured.ToFrozenDictionary(StringComparer.Ordinal);
        _file = Path.Combine(options.Value.DataDir, "access-keys.json");
        _managed = File.Exists(_file) ? JsonSerializer.Deserialize(File.ReadAllText(_file), SecurityJson.Default.ListManagedAccessKey) ?? [] : [];
        _all = Merge();
    }

    public bool IsEmpty => _all.Count == 0;

    public ManagedAccessKey? Find(string accessKeyId) => _all.GetValueOrDefault(accessKeyId);

    /// <summary>Every key, secrets blanked.</summary>
    public IReadOnlyList<ManagedAccessKey> List() =>
        [.. _all.Values.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).Select(k => k with { Secret = "" })];

    /// <summary>A new key; the secret in the answer is the only time it is shown.</summary>
    public ManagedAccessKey Create(bool readOnly, string description) => Add(readOnly, description, ApiSource);

    /// <summary>
    /// On a secure start: the admin key, created the first time (null when it already exists), with an <c>orch</c>
    /// configuration file next to it (<see cref="AdminConfigFileName"/>, owner-only) that names the endpoint and CA.
    /// </summary>
    public ManagedAccessKey? EnsureAdmin(string dataDir, string endpoint, string caFile)
    {
        lock (_lock)
        {
            if (_managed.Any(k => k.Source == AdminSource))
            {
                return null;
            }
        }

        var admin = Add(readOnly: false, "created on first start", AdminSource);
        var config = new JsonObject
        {
            ["endpoint"] = endpoint,
            ["caFile"] = caFile,
            ["accessKeyId"] = admin.Id,
            ["secretAccessKey"] = admin.Secret,
        };
        SecureFile.Write(Path.Combine(dataDir, AdminConfigFileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return admin;
    }

    public DeleteResult Delete(string accessKeyId)
    {
        lock (_lock)
        {
            if (_configured.ContainsKey(accessKeyId))
            {
                return DeleteResult.Configured;
            }

            var key = _managed.FirstOrDefault(k => k.Id == accessKeyId);
            if (key is null)
            {
                return DeleteResult.NotFound;
            }

            if (!key.ReadOnly && _all.Values.Count(k => !k.ReadOnly) == 1)
            {
                return DeleteResult.LastAdmin;
            }

            _managed = [.. _managed.Where(k => k.Id != accessKeyId)];
            Save();
            return DeleteResult.Deleted;
        }
    }

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

    private ManagedAccessKey Add(bool readOnly, string description, string source)
    {
        var key = new ManagedAccessKey
        {
            Id = "AKIA" + Secrets.NewToken(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            Secret = Secrets.NewToken(40),
            ReadOnly = readOnly,
            Description = description,
            CreatedAt = _clock.GetUtcNow(),
            Source = source,
        };
        lock (_lock)
        {
            _managed = [.. _managed, key];
            Save();
        }

        return key;
    }

    private void Save()
    {
        SecureFile.Write(_file, JsonSerializer.Serialize(_managed, SecurityJson.Default.ListManagedAccessKey));
        _all = Merge();
    }

    private FrozenDictionary<string, ManagedAccessKey> Merge()
    {
        var all = new Dictionary<string, ManagedAccessKey>(StringComparer.Ordinal);
        foreach (var key in _managed)
        {
            all[key.Id] = key;
        }

        foreach (var (id, key) in _configured)
        {
            all[id] = key;
        }

        return all.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

public enum DeleteResult
{
    Deleted,
    NotFound,
    Configured,
    LastAdmin,
}

public sealed record ManagedAccessKey
{
    public required string Id { get; init; }
    public required string Secret { get; init; }
    public bool ReadOnly { get; init; }
    public string Description { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public string Source { get; init; } = AccessKeyStore.ApiSource;
}

/// <summary>An operator's key from configuration (<c>ControlPlane:AccessKeys</c>).</summary>
public sealed class AccessKey
{
    public string AccessKeyId { get; set; } = "";
    public string SecretAccessKey { get; set; } = "";
}

/// <summary>Which ECS actions a read-only key may call: those that only read.</summary>
/// <summary>What a read-only key may call: ECS's read actions (Describe*, List*, Get* such as GetTaskProtection).</summary>
public static class ReadOnlyActions
{
    public static bool Allows(string action) =>
        action.StartsWith("Describe", StringComparison.Ordinal) || action.StartsWith("List", StringComparison.Ordinal) ||
        action.StartsWith("Get", StringComparison.Ordinal);
}
