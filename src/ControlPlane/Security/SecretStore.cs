using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.ControlPlane.Security;

/// <summary>
/// The secrets tasks take as environment variables (<c>containerDefinitions[].secrets</c>). Each value is encrypted
/// with AES-256-GCM (a fresh 12-byte nonce per write, the secret's name as associated data, so a value cannot be moved
/// to another name) under a key kept apart from the data: <c>DATA_DIR/secrets.key</c> (32 random bytes, base64,
/// owner-only, created on first use) or the operator's file (<c>--secrets-key-file</c>). The encrypted values live in
/// <c>DATA_DIR/secrets.json</c>, owner-only and written whole on each change like the other security files; each
/// entry records the key's id, so a store opened with another key says so instead of failing obscurely.
/// Values leave only through <see cref="Resolve"/> (for a task's RunTask message); nothing here logs.
/// </summary>
public sealed class SecretStore
{
    public const int MaxValueBytes = 65536;
    public const int MaxDescription = 2048;
    private const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly Lock _lock = new();
    private readonly string _file;
    private readonly string _keyFile;
    private readonly bool _keyProvided;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, StoredSecret> _secrets;
    private byte[]? _key;

    public SecretStore(IOptions<ControlPlaneOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock;
        _file = Path.Combine(options.Value.DataDir, "secrets.json");
        _keyProvided = options.Value.SecretsKeyFile is { Length: > 0 };
        _keyFile = _keyProvided ? options.Value.SecretsKeyFile! : Path.Combine(options.Value.DataDir, "secrets.key");
        var stored = File.Exists(_file)
            ? JsonSerializer.Deserialize(File.ReadAllText(_file), SecretJson.Default.ListStoredSecret) ?? []
            : [];
        _secrets = stored.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    /// <summary>Creates a secret; false when one of that name exists.</summary>
    public bool Create(string name, string value, string description, out StoredSecret created)
    {
        lock (_lock)
        {
            if (_secrets.TryGetValue(name, out var existing))
            {
                created = existing;
                return false;
            }

            var now = _clock.GetUtcNow();
            created = Seal(new StoredSecret { Name = name, Description = description, CreatedAt = now, LastChangedAt = now, Version = 0 }, value);
            _secrets[name] = created;
            Save();
            return true;
        }
    }

    /// <summary>Gives a secret a new value (and description, when one is given); null when there is no such secret.</summary>
    public StoredSecret? Put(string name, string value, string? description)
    {
        lock (_lock)
        {
            if (!_secrets.TryGetValue(name, out var existing))
            {
                return null;
            }

            var updated = Seal(existing with { Description = description ?? existing.Description, LastChangedAt = _clock.GetUtcNow() }, value);
            _secrets[name] = updated;
            Save();
            return updated;
        }
    }

    public StoredSecret? Get(string name)
    {
        lock (_lock)
        {
            return _secrets.GetValueOrDefault(name);
        }
    }

    public IReadOnlyList<StoredSecret> List()
    {
        lock (_lock)
        {
            return [.. _secrets.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];
        }
    }

    public bool Delete(string name)
    {
        lock (_lock)
        {
            if (!_secrets.Remove(name))
            {
                return false;
            }

            Save();
            return true;
        }
    }

    /// <summary>
    /// The value a task's <c>valueFrom</c> names; null and why (an ECS-style detail naming the secret, never a value)
    /// when it cannot be had.
    /// </summary>
    public string? Resolve(string valueFrom, out string problem)
    {
        var reference = SecretReference.Parse(valueFrom, out problem);
        if (reference is null)
        {
            return null;
        }

        StoredSecret? secret;
        lock (_lock)
        {
            secret = reference.Candidates.Select(c => _secrets.GetValueOrDefault(c)).FirstOrDefault(s => s is not null);
        }

        if (secret is null)
        {
            problem = $"secret {valueFrom} not found";
            return null;
        }

        if (reference.VersionId is not null || reference.VersionStage is not (null or "AWSCURRENT"))
        {
            problem = $"secret {valueFrom}: only the current version (AWSCURRENT) is kept";
            return null;
        }

        string value;
        try
        {
            value = Open(secret);
        }
        catch (CryptographicException)
        {
            problem = $"secret {valueFrom} cannot be decrypted with the control plane's secrets key";
            return null;
        }

        if (reference.JsonKey is not { } key)
        {
            return value;
        }

        try
        {
            using var document = JsonDocument.Parse(value);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(key, out var member))
            {
                return member.ValueKind == JsonValueKind.String ? member.GetString() : member.GetRawText();
            }
        }
        catch (JsonException)
        {
            // not a JSON object: the key is not in it
        }

        problem = $"retrieved secret {valueFrom} did not contain json key {key}";
        return null;
    }

    /// <summary>The value of a stored secret; throws <see cref="CryptographicException"/> when the key is not the one it was sealed with.</summary>
    public string Open(StoredSecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var key = Key();
        if (secret.KeyId != KeyId(key))
        {
            throw new CryptographicException($"Secret {secret.Name} was encrypted with another secrets key ({secret.KeyId}).");
        }

        var sealedBytes = Convert.FromBase64String(secret.Ciphertext);
        var nonce = Convert.FromBase64String(secret.Nonce);
        var plain = new byte[sealedBytes.Length - TagBytes];
        using var aes = new AesGcm(key, TagBytes);
        aes.Decrypt(nonce, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), plain, Encoding.UTF8.GetBytes(secret.Name));
        try
        {
            return Encoding.UTF8.GetString(plain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private StoredSecret Seal(StoredSecret secret, string value)
    {
        var key = Key();
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var plain = Encoding.UTF8.GetBytes(value);
        var sealedBytes = new byte[plain.Length + TagBytes];
        using (var aes = new AesGcm(key, TagBytes))
        {
            aes.Encrypt(nonce, plain, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), Encoding.UTF8.GetBytes(secret.Name));
        }

        CryptographicOperations.ZeroMemory(plain);
        return secret with
        {
            KeyId = KeyId(key),
            Nonce = Convert.ToBase64String(nonce),
            Ciphertext = Convert.ToBase64String(sealedBytes),
            Version = secret.Version + 1,
        };
    }

    /// <summary>The key: read once; the default file is created (owner-only) on first use, the operator's must exist.</summary>
    private byte[] Key()
    {
        lock (_lock)
        {
            if (_key is not null)
            {
                return _key;
            }

            if (!File.Exists(_keyFile))
            {
                if (_keyProvided)
                {
                    throw new InvalidOperationException($"The secrets key file {_keyFile} does not exist.");
                }

                SecureFile.Write(_keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)) + "\n");
            }

            _key = ParseKey(File.ReadAllBytes(_keyFile))
                ?? throw new InvalidOperationException($"The secrets key file {_keyFile} must hold 32 bytes: raw, or base64 text (openssl rand -base64 32).");
            return _key;
        }
    }

    /// <summary>32 bytes as base64 text (one line) or raw; null otherwise.</summary>
    public static byte[]? ParseKey(byte[] contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        try
        {
            var decoded = Convert.FromBase64String(Encoding.ASCII.GetString(contents).Trim());
            if (decoded.Length == KeyBytes)
            {
                return decoded;
            }
        }
        catch (FormatException)
        {
            // not base64: raw bytes?
        }

        return contents.Length == KeyBytes ? contents : null;
    }

    /// <summary>Names the key without revealing it: the first 8 bytes of SHA-256 over "orch-secrets-key" and the key.</summary>
    private static string KeyId(byte[] key) =>
        Convert.ToHexStringLower(SHA256.HashData([.. Encoding.ASCII.GetBytes("orch-secrets-key"), .. key]).AsSpan(0, 8));

    private void Save() =>
        SecureFile.Write(_file, JsonSerializer.Serialize(_secrets.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList(), SecretJson.Default.ListStoredSecret));
}

/// <summary>A secret as kept: its metadata in the clear, its value sealed.</summary>
public sealed record StoredSecret
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset LastChangedAt { get; init; }
    /// <summary>1 at creation, one more at each put.</summary>
    public int Version { get; init; }
    public string KeyId { get; init; } = "";
    public string Nonce { get; init; } = "";
    /// <summary>The AES-GCM ciphertext followed by its 16-byte tag, base64.</summary>
    public string Ciphertext { get; init; } = "";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"StoredSecret {{ Name = {Name}, Version = {Version} }}");
}

[JsonSerializable(typeof(List<StoredSecret>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class SecretJson : JsonSerializerContext;
