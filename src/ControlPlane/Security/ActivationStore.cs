using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Orchestrator.ControlPlane.Security;

/// <summary>
/// Activations: what lets a new host join a cluster, as ECS Anywhere's SSM activations do — an id, a code shown once
/// (only its SHA-256 is kept), an expiry and a number of registrations. Kept in <c>DATA_DIR/activations.json</c>
/// (owner-only), written whole on each change.
/// </summary>
public sealed class ActivationStore
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);
    public const int MaxRegistrationsLimit = 1000;

    /// <summary>Beyond this many, the oldest finished (expired, used up or revoked) activations are forgotten.</summary>
    private const int Kept = 1000;

    private readonly Lock _lock = new();
    private readonly string _file;
    private readonly TimeProvider _clock;
    private readonly List<Activation> _activations;

    public ActivationStore(IOptions<ControlPlaneOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock;
        _file = Path.Combine(options.Value.DataDir, "activations.json");
        _activations = File.Exists(_file)
            ? JsonSerializer.Deserialize(File.ReadAllText(_file), SecurityJson.Default.ListActivation) ?? []
            : [];
    }

    /// <summary>Creates an activation; the code in the answer is never available again.</summary>
    public (Activation Activation, string Code) Create(string cluster, string description, TimeSpan lifetime, int maxRegistrations)
    {
        var code = Secrets.NewToken(20);
        var now = _clock.GetUtcNow();
        var activation = new Activation
        {
            Id = Guid.NewGuid().ToString(),
            CodeHash = Hash(code),
            Cluster = cluster,
            Description = description,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
            MaxRegistrations = maxRegistrations,
        };
        lock (_lock)
        {
            _activations.Add(activation);
            Save();
        }

        return (activation, code);
    }

    public IReadOnlyList<Activation> List()
    {
        lock (_lock)
        {
            return [.. _activations];
        }
    }

    public Activation? Revoke(string id)
    {
        lock (_lock)
        {
            var index = _activations.FindIndex(a => a.Id == id);
            if (index < 0)
            {
                return null;
            }

            if (_activations[index].RevokedAt is null)
            {
                _activations[index] = _activations[index] with { RevokedAt = _clock.GetUtcNow() };
                Save();
            }

            return _activations[index];
        }
    }

    /// <summary>
    /// Takes one registration of an activation whose code matches; null and the reason otherwise (the reason names
    /// the activation by id, never by code). <see cref="Release"/> gives it back if the registration then fails.
    /// </summary>
    public Activation? Consume(string id, string code, out string reason)
    {
        reason = "";
        lock (_lock)
        {
            var index = _activations.FindIndex(a => a.Id == id);
            var activation = index < 0 ? null : _activations[index];
            if (activation is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(activation.CodeHash), Encoding.ASCII.GetBytes(Hash(code ?? ""))))
            {
                reason = "the activation id or code is not valid";
                return null;
            }

            var status = activation.StatusAt(_clock.GetUtcNow());
            if (status != Activation.Active)
            {
                reason = status switch
                {
                    Activation.Expired => $"activation {id} expired at {activation.ExpiresAt:u}",
                    Activation.Exhausted => $"activation {id} has been used for all of its {activation.MaxRegistrations} registrations",
                    _ => $"activation {id} was revoked",
                };
                return null;
            }

            _activations[index] = activation with { Registrations = activation.Registrations + 1 };
            Save();
            return _activations[index];
        }
    }

    public void Release(string id)
    {
        lock (_lock)
        {
            var index = _activations.FindIndex(a => a.Id == id);
            if (index >= 0 && _activations[index].Registrations > 0)
            {
                _activations[index] = _activations[index] with { Registrations = _activations[index].Registrations - 1 };
                Save();
            }
        }
    }

    private static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    private void Save()
    {
        var now = _clock.GetUtcNow();
        var finished = _activations.Where(a => a.StatusAt(now) != Activation.Active).OrderBy(a => a.CreatedAt).ToList();
        foreach (var old in finished.Take(Math.Max(0, _activations.Count - Kept)))
        {
            _activations.Remove(old);
        }

        SecureFile.Write(_file, JsonSerializer.Serialize(_activations, SecurityJson.Default.ListActivation));
    }
}

public sealed record Activation
{
    public const string Active = "ACTIVE";
    public const string Expired = "EXPIRED";
    public const string Exhausted = "EXHAUSTED";
    public const string Revoked = "REVOKED";

    public required string Id { get; init; }
    public required string CodeHash { get; init; }
    public required string Cluster { get; init; }
    public string Description { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public int MaxRegistrations { get; init; } = 1;
    public int Registrations { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }

    public string StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? Revoked
        : now >= ExpiresAt ? Expired
        : Registrations >= MaxRegistrations ? Exhausted
        : Active;
}

/// <summary>Random tokens for codes, key ids and secrets.</summary>
public static class Secrets
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewToken(int length, string alphabet = Alphabet)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        return RandomNumberGenerator.GetString(alphabet, length);
    }
}

[JsonSerializable(typeof(List<Activation>))]
[JsonSerializable(typeof(List<ManagedAccessKey>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class SecurityJson : JsonSerializerContext;
