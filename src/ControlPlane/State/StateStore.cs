using Microsoft.Extensions.Options;
using Orchestrator.ControlPlane.Networking;

namespace Orchestrator.ControlPlane.State;

/// <summary>
/// The cluster state: an in-memory snapshot for readers and a backend (<see cref="IStateBackend"/>: an SQLite file, or
/// etcd shared by several control planes) that every write reaches before it becomes visible. There is one writer:
/// <see cref="WriteAsync{T}"/> runs changes one at a time against the current state, so a change that re-checks what it
/// depends on (free resources, say) can never act on stale data. With etcd only the leader writes; a follower's snapshot
/// follows the leader's commits (<see cref="ApplyRemoteAsync"/>) and its writes are refused with
/// <see cref="StateUnavailableException"/>.
/// </summary>
public sealed partial class StateStore : IDisposable
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly IStateBackend _backend;
    private readonly ILogger<StateStore> _logger;
    private readonly IReadOnlyList<Subnet> _subnets;
    private TaskCompletionSource _changed = NewSignal();
    private volatile bool _isWriter;
    private bool _mustReload;

    public StateStore(IOptions<ControlPlaneOptions> options, ILogger<StateStore> logger)
        : this(Path.Combine(options.Value.DataDir, "state.db"), logger, options.Value.BuildSubnets([]))
    {
    }

    /// <param name="subnets">The subnets awsvpc tasks take addresses from (configuration, checked at start).</param>
    public StateStore(string path, ILogger<StateStore> logger, IReadOnlyList<Subnet>? subnets = null)
        : this(new SqliteStateBackend(path, logger), logger, subnets, writer: true)
    {
    }

    /// <param name="writer">Whether this store writes from the start (SQLite); an etcd follower waits for <see cref="PromoteAsync"/>.</param>
    public StateStore(IStateBackend backend, ILogger<StateStore> logger, IReadOnlyList<Subnet>? subnets, bool writer)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
        _logger = logger;
        _subnets = subnets ?? [];
        _isWriter = writer;
        Current = StateDocuments.Load(backend.LoadAll()) with { Subnets = _subnets };
        Log.Loaded(logger, backend.Description, Current.Clusters.Count, Current.TaskDefinitions.Count, Current.Instances.Count, Current.Tasks.Count);
    }

    public StateSnapshot Current { get; private set; }

    /// <summary>Whether this control plane writes (always with SQLite; with etcd, while it is the leader).</summary>
    public bool IsWriter => _isWriter;

    /// <summary>Who the leader is, for the error a follower's write gets (set by the leader election).</summary>
    public Func<string?> LeaderHint { get; set; } = () => null;

    /// <summary>
    /// Raised after each write is stored and published, with what it changed, by the writer itself: handlers must only
    /// take note (e.g. queue work), never write.
    /// </summary>
    public event Action<StateSnapshot, IReadOnlyList<StateChange>>? Committed;

    /// <summary>
    /// Runs <paramref name="change"/> as the only writer, stores what it changed in one transaction, then publishes
    /// the new snapshot. An exception from <paramref name="change"/> discards its changes; so does a backend that
    /// refuses (<see cref="StateUnavailableException"/>), after which the next write first reloads what is stored.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<StateTransaction, T> change, CancellationToken cancellationToken)
    {
        ThrowIfFollower();
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFollower();
            if (_mustReload)
            {
                // The last commit failed midway (a timeout may still have applied it): start again from what is stored.
                Reload();
                _mustReload = false;
            }

            var transaction = new StateTransaction(Current);
            var result = change(transaction);
            if (transaction.Changes.Count > 0)
            {
                try
                {
                    await _backend.CommitAsync(transaction.Changes, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is StateUnavailableException or OperationCanceledException)
                {
                    _mustReload = true;
                    throw;
                }

                Current = transaction.State with { Version = Current.Version + 1 };
                Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
                Committed?.Invoke(Current, transaction.Changes);
            }

            return result;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>A follower applies documents the leader committed (ignored once this control plane writes itself).</summary>
    public async Task ApplyRemoteAsync(IReadOnlyList<StoredDocument> documents, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_isWriter || documents.Count == 0)
            {
                return;
            }

            var state = Current;
            foreach (var document in documents)
            {
                state = StateDocuments.Apply(state, document);
            }

            Publish(state);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>A follower reloads every document (after its change feed broke off).</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_isWriter)
            {
                Reload();
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>This control plane became the leader: it loads everything stored, then writes.</summary>
    public async Task PromoteAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Reload();
            _mustReload = false;
            _isWriter = true;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>This control plane lost the lead: its writes are refused from now on.</summary>
    public void Demote() => _isWriter = false;

    /// <summary>Completes when a snapshot newer than <paramref name="version"/> is published.</summary>
    public async Task<StateSnapshot> WaitForChangeAsync(long version, CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _changed).Task;
            var current = Current;
            if (current.Version > version)
            {
                return current;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _backend.Dispose();
        _writer.Dispose();
    }

    private void ThrowIfFollower()
    {
        if (!_isWriter)
        {
            var leader = LeaderHint();
            throw new StateUnavailableException(
                leader is null
                    ? "This control plane is not the leader and no leader is elected now (being elected, or etcd has lost its quorum); retry shortly."
                    : $"This control plane is not the leader; send writes to the leader at {leader}.",
                leader);
        }
    }

    private void Reload() => Publish(StateDocuments.Load(_backend.LoadAll()));

    private void Publish(StateSnapshot state)
    {
        Current = state with { Version = Current.Version + 1, Subnets = _subnets };
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
