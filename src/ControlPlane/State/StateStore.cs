using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orchestrator.ControlPlane.Networking;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.State;

/// <summary>
/// The cluster state: an in-memory snapshot for readers and an SQLite file (WAL) that every write reaches before it
/// becomes visible. There is one writer: <see cref="WriteAsync{T}"/> runs changes one at a time against the current
/// state, so a change that re-checks what it depends on (free resources, say) can never act on stale data.
/// </summary>
public sealed partial class StateStore : IDisposable
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly SqliteConnection _connection;
    private readonly ILogger<StateStore> _logger;
    private TaskCompletionSource _changed = NewSignal();

    public StateStore(IOptions<ControlPlaneOptions> options, ILogger<StateStore> logger)
        : this(Path.Combine(options.Value.DataDir, "state.db"), logger, options.Value.BuildSubnets([]))
    {
    }

    /// <param name="subnets">The subnets awsvpc tasks take addresses from (configuration, checked at start).</param>
    public StateStore(string path, ILogger<StateStore> logger, IReadOnlyList<Subnet>? subnets = null)
    {
        _logger = logger;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
        Migrate();
        Current = Load() with { Subnets = subnets ?? [] };
        Log.Loaded(logger, path, Current.Clusters.Count, Current.TaskDefinitions.Count, Current.Instances.Count, Current.Tasks.Count);
    }

    public StateSnapshot Current { get; private set; }

    /// <summary>
    /// Raised after each write is stored and published, with what it changed, by the writer itself: handlers must only
    /// take note (e.g. queue work), never write.
    /// </summary>
    public event Action<StateSnapshot, IReadOnlyList<StateChange>>? Committed;

    /// <summary>
    /// Runs <paramref name="change"/> as the only writer, stores what it changed in one transaction, then publishes
    /// the new snapshot. An exception from <paramref name="change"/> discards its changes.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<StateTransaction, T> change, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = new StateTransaction(Current);
            var result = change(transaction);
            if (transaction.Changes.Count > 0)
            {
                Persist(transaction.Changes);
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
        _connection.Dispose();
        _writer.Dispose();
    }

    private void Persist(IReadOnlyList<StateChange> changes)
    {
        using var transaction = _connection.BeginTransaction();
        foreach (var change in changes)
        {
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.Parameters.AddWithValue("$key", change.Key);
            if (change.Document is null)
            {
                command.CommandText = $"DELETE FROM {change.Table} WHERE key = $key";
            }
            else
            {
                command.CommandText = $"INSERT INTO {change.Table} (key, doc) VALUES ($key, $doc) ON CONFLICT (key) DO UPDATE SET doc = excluded.doc";
                command.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(change.Document, change.Document.GetType(), EcsJson.Options));
            }

            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private void Migrate()
    {
        using var read = _connection.CreateCommand();
        read.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (version > Schema.Migrations.Length)
        {
            throw new InvalidOperationException(
                $"The state database is at schema version {version}, newer than this control plane knows ({Schema.Migrations.Length}). Use a newer control plane.");
        }

        for (var next = version + 1; next <= Schema.Migrations.Length; next++)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"{Schema.Migrations[next - 1]}\nPRAGMA user_version = {next};";
            command.ExecuteNonQuery();
            transaction.Commit();
            Log.Migrated(_logger, next);
        }
    }

    private StateSnapshot Load()
    {
        var state = StateSnapshot.Empty;
        foreach (var cluster in ReadAll<ClusterRecord>(Schema.Clusters))
        {
            state = state.With(cluster);
        }

        foreach (var definition in ReadAll<TaskDefinition>(Schema.TaskDefinitions))
        {
            state = state.With(definition);
        }

        foreach (var instance in ReadAll<InstanceRecord>(Schema.ContainerInstances))
        {
            state = state.With(instance);
        }

        foreach (var task in ReadAll<TaskRecord>(Schema.Tasks))
        {
            state = state.With(task);
        }

        foreach (var service in ReadAll<ServiceRecord>(Schema.Services))
        {
            state = state.With(service);
        }

        foreach (var setting in ReadAll<AccountSettingRecord>(Schema.AccountSettings))
        {
            state = state.With(setting);
        }

        foreach (var schedule in ReadAll<ScheduleRecord>(Schema.Schedules))
        {
            state = state.With(schedule);
        }

        foreach (var target in ReadAll<ScalableTargetRecord>(Schema.ScalableTargets))
        {
            state = state.With(target);
        }

        foreach (var provider in ReadAll<CapacityProviderRecord>(Schema.CapacityProviders))
        {
            state = state.With(provider);
        }

        foreach (var group in ReadAll<TargetGroupRecord>(Schema.TargetGroups))
        {
            state = state.With(group);
        }

        foreach (var listener in ReadAll<ListenerRecord>(Schema.Listeners))
        {
            state = state.With(listener);
        }

        foreach (var (arn, tags) in ReadAllKeyed<List<Tag>>(Schema.Tags))
        {
            state = state.WithTags(arn, tags);
        }

        return state;
    }

    private IEnumerable<T> ReadAll<T>(string table)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT doc FROM {table}";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return JsonSerializer.Deserialize<T>(reader.GetString(0), EcsJson.Options)!;
        }
    }

    private IEnumerable<(string Key, T Document)> ReadAllKeyed<T>(string table)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT key, doc FROM {table}";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return (reader.GetString(0), JsonSerializer.Deserialize<T>(reader.GetString(1), EcsJson.Options)!);
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
