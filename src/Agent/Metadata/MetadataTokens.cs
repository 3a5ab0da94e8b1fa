using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Agent.Metadata;

/// <summary>
/// The unguessable per-container id in a container's metadata URI (ECS's endpoint id): an HMAC of the task ARN and
/// container name under a random key kept in <c>DATA_DIR/metadata.key</c> (owner-only). Derived rather than stored,
/// so a restarted agent answers the URIs its running containers were given; without the key nobody can make another
/// container's id.
/// </summary>
public sealed class MetadataTokens
{
    public const string KeyFileName = "metadata.key";
    private const int KeyBytes = 32;
    private readonly byte[] _key;

    public MetadataTokens(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 16)
        {
            throw new ArgumentException("The metadata key must be at least 16 bytes.", nameof(key));
        }

        _key = key;
    }

    /// <summary>The key in <paramref name="dataDir"/>, made (random, owner-only) the first time.</summary>
    public static MetadataTokens LoadOrCreate(string dataDir)
    {
        var path = Path.Combine(dataDir, KeyFileName);
        if (File.Exists(path) && File.ReadAllBytes(path) is { Length: KeyBytes } existing)
        {
            return new MetadataTokens(existing);
        }

        Directory.CreateDirectory(dataDir);
        var key = RandomNumberGenerator.GetBytes(KeyBytes);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            file.Write(key);
        }

        File.Move(temporary, path, overwrite: true);
        return new MetadataTokens(key);
    }

    /// <summary>The container's id: 32 lowercase hex digits (128 bits).</summary>
    public string For(string taskArn, string containerName)
    {
        ArgumentNullException.ThrowIfNull(taskArn);
        ArgumentNullException.ThrowIfNull(containerName);
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(taskArn + "\n" + containerName));
        return Convert.ToHexStringLower(mac.AsSpan(0, 16));
    }
}
