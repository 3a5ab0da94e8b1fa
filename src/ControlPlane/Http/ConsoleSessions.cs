using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.ControlPlane.Security;

namespace Orchestrator.ControlPlane.Http;

/// <summary>
/// The web console's sign-ins: a session per access key signed in, held in memory (a restart signs everyone out),
/// found by the SHA-256 of its random cookie value so the store holds nothing a reader could replay. A session ends
/// at <see cref="Lifetime"/> after sign-in, at sign-out, or as soon as its access key is gone; it carries the
/// per-session CSRF token every POST must echo in a header.
/// </summary>
public sealed class ConsoleSessions(AccessKeyStore keys, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>Failed sign-ins one remote address may make per <see cref="AttemptWindow"/>; beyond, it is refused unchecked.</summary>
    public const int AttemptsPerWindow = 10;

    /// <summary>Failed sign-ins from all addresses together per window: a spread-out guess still meets a wall.</summary>
    public const int AllAttemptsPerWindow = 100;

    public static readonly TimeSpan AttemptWindow = TimeSpan.FromMinutes(1);

    private const int MaxSessions = 10_000;
    private const string InsecureKeyId = "(no access keys: insecure loopback mode)";

    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Attempts> _failures = new(StringComparer.Ordinal);
    private Attempts _allFailures = new(DateTimeOffset.MinValue, 0);
    private readonly Lock _lock = new();

    /// <summary>Whether <paramref name="remote"/> may try to sign in now (false: too many failures lately).</summary>
    public bool MayAttempt(string remote)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (now - _allFailures.Start < AttemptWindow && _allFailures.Count >= AllAttemptsPerWindow)
            {
                return false;
            }

            return !_failures.TryGetValue(remote, out var attempts) || now - attempts.Start >= AttemptWindow || attempts.Count < AttemptsPerWindow;
        }
    }

    /// <summary>
    /// Checks an access key and its secret (in constant time); on success a new session and the cookie value that
    /// names it. With no keys required (insecure loopback mode) any sign-in opens a full session.
    /// </summary>
    public (string CookieValue, ConsoleSession Session)? SignIn(string remote, string accessKeyId, string secret, bool keysRequired)
    {
        ManagedAccessKey? key = null;
        if (keysRequired)
        {
            key = keys.Find(accessKeyId);
            var expected = Encoding.UTF8.GetBytes(key?.Secret ?? "not a key: compared anyway so unknown ids take as long");
            var given = Encoding.UTF8.GetBytes(secret);
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(expected), SHA256.HashData(given)) || key is null)
            {
                Fail(remote);
                return null;
            }
        }

        var now = clock.GetUtcNow();
        if (_sessions.Count >= MaxSessions)
        {
            foreach (var stale in _sessions.Where(s => s.Value.ExpiresAt <= now))
            {
                _sessions.TryRemove(stale.Key, out _);
            }

            if (_sessions.Count >= MaxSessions)
            {
                return null;
            }
        }

        var cookie = Secrets.NewToken(43);
        var session = new ConsoleSession(key?.Id ?? InsecureKeyId, key?.ReadOnly ?? false, Secrets.NewToken(32), now + Lifetime);
        _sessions[Hash(cookie)] = session;
        return (cookie, session);
    }

    /// <summary>The live session a cookie names, with its key's current read-only flag; null when unknown, expired or its key is gone.</summary>
    public ConsoleSession? Find(string? cookieValue, bool keysRequired)
    {
        if (string.IsNullOrEmpty(cookieValue) || cookieValue.Length > 128)
        {
            return null;
        }

        var id = Hash(cookieValue);
        if (!_sessions.TryGetValue(id, out var session))
        {
            return null;
        }

        if (session.ExpiresAt <= clock.GetUtcNow())
        {
            _sessions.TryRemove(id, out _);
            return null;
        }

        if (!keysRequired)
        {
            return session;
        }

        if (keys.Find(session.AccessKeyId) is not { } key)
        {
            _sessions.TryRemove(id, out _);
            return null;
        }

        return session with { ReadOnly = key.ReadOnly };
    }

    public void SignOut(string? cookieValue)
    {
        if (!string.IsNullOrEmpty(cookieValue))
        {
            _sessions.TryRemove(Hash(cookieValue), out _);
        }
    }

    private void Fail(string remote)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            _allFailures = now - _allFailures.Start >= AttemptWindow ? new Attempts(now, 1) : _allFailures with { Count = _allFailures.Count + 1 };
            if (_failures.Count >= MaxSessions)
            {
                foreach (var stale in _failures.Where(f => now - f.Value.Start >= AttemptWindow))
                {
                    _failures.TryRemove(stale.Key, out _);
                }
            }

            _failures[remote] = _failures.TryGetValue(remote, out var attempts) && now - attempts.Start < AttemptWindow
                ? attempts with { Count = attempts.Count + 1 }
                : new Attempts(now, 1);
        }
    }

    private static string Hash(string cookieValue) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(cookieValue)));

    private sealed record Attempts(DateTimeOffset Start, int Count);
}

/// <summary>A signed-in console user: which key, whether it may only read, the CSRF token its POSTs carry, and when it ends.</summary>
public sealed record ConsoleSession(string AccessKeyId, bool ReadOnly, string CsrfToken, DateTimeOffset ExpiresAt);
