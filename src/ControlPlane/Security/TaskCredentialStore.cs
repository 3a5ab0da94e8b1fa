using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Orchestrator.ControlPlane.Security;

/// <summary>
/// The short-lived keys of tasks with a task role, as STS's AssumeRole gives them: an access key ID starting
/// <c>ASIA</c>, a secret access key, a session token and an expiry (<see cref="ControlPlaneOptions.TaskCredentialLifetime"/>).
/// Each is bound to one task and its role. Held in memory only: nothing of them is written or logged, and a restarted
/// control plane issues new ones (the rotation sends them). A task keeps at most <see cref="KeptPerTask"/> (the newest
/// and those before, each valid until it expires, as SDKs refresh ahead of expiry: replaced at half their lifetime, a
/// task normally holds two); <see cref="Revoke"/> drops a
/// stopped task's keys at once.
/// </summary>
public sealed class TaskCredentialStore(IOptions<ControlPlaneOptions> options, TimeProvider clock)
{
    public const int KeptPerTask = 4;
    public const string AccessKeyPrefix = "ASIA";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, IssuedCredentials> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<IssuedCredentials>> _byTask = new(StringComparer.Ordinal);

    /// <summary>Key IDs replaced or expired, with their expiry (no secrets): a call with one is told it expired rather than unknown.</summary>
    private readonly Dictionary<string, DateTimeOffset> _retired = new(StringComparer.Ordinal);
    private readonly Queue<string> _retiredOrder = new();
    private const int MaxRetired = 10_000;

    public TimeSpan Lifetime => options.Value.TaskCredentialLifetime;

    /// <summary>New keys for a task and its role.</summary>
    public IssuedCredentials Issue(string taskArn, string roleArn)
    {
        ArgumentNullException.ThrowIfNull(taskArn);
        ArgumentNullException.ThrowIfNull(roleArn);
        var now = clock.GetUtcNow();
        var issued = new IssuedCredentials(
            AccessKeyPrefix + RoleStore.RandomUpper(16),
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)),
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(96)),
            now + Lifetime,
            taskArn,
            roleArn);
        lock (_lock)
        {
            Sweep(now);
            var list = _byTask.TryGetValue(taskArn, out var existing) ? existing : _byTask[taskArn] = [];
            list.Add(issued);
            _byKey[issued.AccessKeyId] = issued;
            while (list.Count > KeptPerTask)
            {
                Retire(list[0]);
                list.RemoveAt(0);
            }
        }

        return issued;
    }

    /// <summary>The newest keys of a task; null when it has none.</summary>
    public IssuedCredentials? Latest(string taskArn)
    {
        lock (_lock)
        {
            return _byTask.TryGetValue(taskArn, out var list) && list.Count > 0 ? list[^1] : null;
        }
    }

    /// <summary>
    /// The keys an access key ID names when the session token matches (compared in constant time) and they have not
    /// expired; otherwise null and which of those failed.
    /// </summary>
    public IssuedCredentials? Check(string accessKeyId, string? sessionToken, out CredentialProblem problem)
    {
        IssuedCredentials? found;
        lock (_lock)
        {
            found = _byKey.GetValueOrDefault(accessKeyId);
        }

        if (found is null)
        {
            lock (_lock)
            {
                problem = _retired.TryGetValue(accessKeyId, out var expired) && clock.GetUtcNow() >= expired ? CredentialProblem.Expired : CredentialProblem.Unknown;
            }

            return null;
        }

        if (string.IsNullOrEmpty(sessionToken)
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(sessionToken), Encoding.ASCII.GetBytes(found.SessionToken)))
        {
            problem = CredentialProblem.WrongToken;
            return null;
        }

        if (clock.GetUtcNow() >= found.Expiration)
        {
            problem = CredentialProblem.Expired;
            return null;
        }

        problem = CredentialProblem.None;
        return found;
    }

    /// <summary>Drops every key of a task (it stopped): calls signed with them are refused from now on.</summary>
    public void Revoke(string taskArn)
    {
        lock (_lock)
        {
            if (_byTask.Remove(taskArn, out var list))
            {
                foreach (var credentials in list)
                {
                    _byKey.Remove(credentials.AccessKeyId);
                }
            }
        }
    }

    /// <summary>The tasks holding keys (for the rotation to drop those of tasks that are gone).</summary>
    public IReadOnlyList<string> Tasks()
    {
        lock (_lock)
        {
            return [.. _byTask.Keys];
        }
    }

    private void Retire(IssuedCredentials credentials)
    {
        _byKey.Remove(credentials.AccessKeyId);
        _retired[credentials.AccessKeyId] = credentials.Expiration;
        _retiredOrder.Enqueue(credentials.AccessKeyId);
        while (_retiredOrder.Count > MaxRetired)
        {
            _retired.Remove(_retiredOrder.Dequeue());
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (task, list) in _byTask.ToList())
        {
            foreach (var expired in list.Where(c => c.Expiration <= now).ToList())
            {
                list.Remove(expired);
                Retire(expired);
            }

            if (list.Count == 0)
            {
                _byTask.Remove(task);
            }
        }
    }
}

public enum CredentialProblem
{
    None,
    Unknown,
    WrongToken,
    Expired,
}

/// <summary>Keys issued to a task. <see cref="ToString"/> names the key ID and task only, never the secret or token.</summary>
public sealed record IssuedCredentials(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration, string TaskArn, string RoleArn)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"IssuedCredentials {{ AccessKeyId = {AccessKeyId}, TaskArn = {TaskArn}, Expiration = {Expiration:O} }}");
}
