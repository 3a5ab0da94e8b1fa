using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.ControlPlane.Security;

/// <summary>
/// Task roles (<c>orch role …</c>): a name, its ARN (<c>arn:aws:iam::ACCOUNT:role/NAME</c>) and a policy
/// (<see cref="RolePolicy"/>). Kept in <c>DATA_DIR/roles.json</c>, written whole and owner-only like the other security
/// files (a policy is no secret, but who may do what is the operator's business). Roles are few and read on every call
/// made with task credentials, so they are held in memory with their parsed policies.
/// </summary>
public sealed class RoleStore
{
    public const int MaxRoles = 1000;
    public const int MaxDescription = 1000;

    private readonly Lock _lock = new();
    private readonly string _file;
    private readonly string _account;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, (StoredRole Role, RolePolicy Policy)> _roles;

    public RoleStore(IOptions<ControlPlaneOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock;
        _account = options.Value.AccountId;
        _file = Path.Combine(options.Value.DataDir, "roles.json");
        var stored = File.Exists(_file) ? JsonSerializer.Deserialize(File.ReadAllText(_file), RoleJson.Default.ListStoredRole) ?? [] : [];
        _roles = stored.ToDictionary(r => r.Name, r => (r, RolePolicy.Parse(r.PolicyDocument)), StringComparer.Ordinal);
    }

    /// <summary>Creates a role; false when one of that name exists. The policy must have been checked with <see cref="RolePolicy.Parse"/>.</summary>
    public bool Create(string name, string policyDocument, string description, out StoredRole role)
    {
        var policy = RolePolicy.Parse(policyDocument);
        lock (_lock)
        {
            if (_roles.TryGetValue(name, out var existing))
            {
                role = existing.Role;
                return false;
            }

            if (_roles.Count >= MaxRoles)
            {
                throw new InvalidOperationException($"There are already {MaxRoles} roles.");
            }

            role = new StoredRole
            {
                Name = name,
                Arn = RoleArn.For(_account, name),
                RoleId = "AROA" + RandomUpper(17),
                PolicyDocument = policyDocument,
                Description = description,
                CreatedAt = _clock.GetUtcNow(),
            };
            _roles[name] = (role, policy);
            Save();
            return true;
        }
    }

    /// <summary>Replaces a role's policy; null when there is no such role. Calls made from now on are checked against it.</summary>
    public StoredRole? PutPolicy(string name, string policyDocument)
    {
        var policy = RolePolicy.Parse(policyDocument);
        lock (_lock)
        {
            if (!_roles.TryGetValue(name, out var existing))
            {
                return null;
            }

            var updated = existing.Role with { PolicyDocument = policyDocument };
            _roles[name] = (updated, policy);
            Save();
            return updated;
        }
    }

    public StoredRole? Get(string name)
    {
        lock (_lock)
        {
            return _roles.TryGetValue(name, out var found) ? found.Role : null;
        }
    }

    /// <summary>The role a task's <c>taskRoleArn</c> names (its ARN in this account, or its name) and its policy; null when none.</summary>
    public (StoredRole Role, RolePolicy Policy)? Find(string? reference)
    {
        if (RoleArn.NameOf(reference) is not { } name || (RoleArn.AccountOf(reference!) is { } account && account != _account))
        {
            return null;
        }

        lock (_lock)
        {
            return _roles.TryGetValue(name, out var found) && (!reference!.StartsWith("arn:", StringComparison.Ordinal) || found.Role.Arn == reference)
                ? found
                : null;
        }
    }

    public IReadOnlyList<StoredRole> List()
    {
        lock (_lock)
        {
            return [.. _roles.Values.Select(r => r.Role).OrderBy(r => r.Name, StringComparer.Ordinal)];
        }
    }

    public bool Delete(string name)
    {
        lock (_lock)
        {
            if (!_roles.Remove(name))
            {
                return false;
            }

            Save();
            return true;
        }
    }

    internal static string RandomUpper(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        return string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }

    private void Save() =>
        SecureFile.Write(_file, JsonSerializer.Serialize(_roles.Values.Select(r => r.Role).OrderBy(r => r.Name, StringComparer.Ordinal).ToList(), RoleJson.Default.ListStoredRole));
}

/// <summary>A task role as kept.</summary>
public sealed record StoredRole
{
    public required string Name { get; init; }
    public required string Arn { get; init; }
    public string RoleId { get; init; } = "";
    public string PolicyDocument { get; init; } = "";
    public string Description { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"StoredRole {{ Name = {Name} }}");
}

[JsonSerializable(typeof(List<StoredRole>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class RoleJson : JsonSerializerContext;
