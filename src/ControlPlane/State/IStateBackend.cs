namespace Orchestrator.ControlPlane.State;

/// <summary>
/// Where the state's documents are stored: SQLite (one control plane, the default) or etcd (several control planes, one
/// of them the leader). <see cref="StateStore"/> keeps the in-memory snapshot and the one writer; a backend loads every
/// document and stores the changes of one write atomically, and returns only once they are durable.
/// </summary>
public interface IStateBackend : IDisposable
{
    /// <summary>A short name for logs ("sqlite /path/state.db", "etcd prefix /orch/x/").</summary>
    string Description { get; }

    /// <summary>Every stored document, as JSON, grouped by table.</summary>
    IReadOnlyList<StoredDocument> LoadAll();

    /// <summary>
    /// Stores the changes of one write, all or nothing, and returns once they are durable. Throws
    /// <see cref="StateUnavailableException"/> when the store refuses (not the leader, quorum lost); the caller must then
    /// not publish the write.
    /// </summary>
    Task CommitAsync(IReadOnlyList<StateChange> changes, CancellationToken cancellationToken);
}

/// <summary>One stored document: its table, its key and its JSON (null: deleted, in a change seen by a follower).</summary>
public sealed record StoredDocument(string Table, string Key, string? Json);

/// <summary>
/// A write this control plane cannot make now: it is not the leader (<see cref="Leader"/> names the one that is, when
/// known) or the state store is unreachable or has lost its quorum. Retryable: send the call again, to the leader.
/// </summary>
public sealed class StateUnavailableException : Exception
{
    public StateUnavailableException(string message, string? leader = null, Exception? inner = null) : base(message, inner) => Leader = leader;

    public StateUnavailableException()
    {
    }

    public StateUnavailableException(string message) : base(message)
    {
    }

    public StateUnavailableException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>The leader's advertised address, when this control plane knows it.</summary>
    public string? Leader { get; }
}
