using System.Collections.Concurrent;
using System.Globalization;

namespace Orchestrator.Agent.Metadata;

/// <summary>
/// The task role keys the control plane sent (RunTask.credentials, then ControlMessage.task_credentials before they
/// expire), by task, in memory only: never in <c>agent.db</c>, never logged. Each task's containers find them at
/// <c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c> = <c>/v2/credentials/ID</c>, where ID is the HMAC of the task ARN under
/// the agent's metadata key (<see cref="MetadataTokens"/>): unguessable, and the same when keys are replaced or the agent
/// restarts (the control plane sends a reconnected agent new keys for its tasks on its next rotation pass).
/// </summary>
public sealed class TaskRoleCredentials(MetadataTokens tokens)
{
    public const string RelativeUriVariable = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";

    /// <summary>The address containers call; the agent redirects it to its endpoint (<see cref="CredentialsRedirect"/>).</summary>
    public const string EndpointAddress = "169.254.170.2";

    /// <summary>A name no container can have (ECS container names are letters, digits, _ and -), so the ID never equals a metadata token.</summary>
    private const string CredentialsName = "/credentials";

    private const int MaxTasks = 4096;

    private readonly ConcurrentDictionary<string, RoleKeys> _byId = new(StringComparer.Ordinal);

    /// <summary>Raised the first time keys arrive (the redirect to the endpoint is set up then, not for agents that never see a role).</summary>
    public event Action? FirstKeys;

    /// <summary>The credentials ID of a task (also before its keys arrive).</summary>
    public string IdFor(string taskArn) => tokens.For(taskArn, CredentialsName);

    public string RelativeUri(string taskArn) => "/v2/credentials/" + IdFor(taskArn);

    /// <summary>Keeps a task's new keys, replacing older ones.</summary>
    public void Put(RoleKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var first = _byId.IsEmpty;
        if (_byId.Count >= MaxTasks)
        {
            foreach (var expired in _byId.Where(e => e.Value.Expiration < DateTimeOffset.UtcNow).Select(e => e.Key).ToList())
            {
                _byId.TryRemove(expired, out _);
            }
        }

        _byId[IdFor(keys.TaskArn)] = keys;
        if (first)
        {
            FirstKeys?.Invoke();
        }
    }

    /// <summary>Drops a task's keys (it is gone).</summary>
    public void Forget(string taskArn) => _byId.TryRemove(IdFor(taskArn), out _);

    /// <summary>The keys a credentials ID names; null when none.</summary>
    public RoleKeys? ById(string id) => id.Length == 32 && _byId.TryGetValue(id, out var keys) ? keys : null;

    public int Count => _byId.Count;
}

/// <summary>A task role's keys as the agent holds them. <see cref="ToString"/> names the key ID and task only.</summary>
public sealed record RoleKeys(string TaskArn, string RoleArn, string AccessKeyId, string SecretAccessKey, string Token, DateTimeOffset Expiration)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"RoleKeys {{ TaskArn = {TaskArn}, AccessKeyId = {AccessKeyId}, Expiration = {Expiration:O} }}");
}
