using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Orchestrator.Agent.State;

/// <summary>
/// The agent's local state in <c>agent.db</c> (SQLite, WAL): host ID, container instance ARN, sequence numbers, every
/// known task, and the outbox of state changes the control plane has not acknowledged. Every change is committed before
/// anyone can send it, so a <c>kill -9</c> loses nothing that was reported. Thread-safe: one connection behind a lock.
/// </summary>
public sealed partial class AgentStore : IDisposable
{
    public const string FileName = "agent.db";

    private const string HostIdKey = "host_id";
    private const string ContainerInstanceArnKey = "container_instance_arn";
    private const string LastSequenceKey = "last_sequence";
    private const string DynamicPortCursorKey = "dynamic_port_cursor";

    private static readonly JsonSerializerOptions BindingJson = new(JsonSerializerDefaults.Web);

    /// <summary>Outbox reports: statuses by name, so a stored row reads the same whatever the enum's order.</summary>
    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;

    public AgentStore(string dataDir, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        Directory.CreateDirectory(dataDir);
        Path = System.IO.Path.Combine(dataDir, FileName);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
        Migrate();
    }

    public string Path { get; }

    /// <summary>Fires after every committed change (task saved, state change appended, acknowledgement applied).</summary>
    public ChangeSignal Changes { get; } = new();

    /// <summary>The host's stable ID, created by <paramref name="create"/> on first start.</summary>
    public string GetOrCreateHostId(Func<string> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var id = GetMeta(HostIdKey, transaction);
            if (id is null)
            {
                id = create();
                SetMeta(HostIdKey, id, transaction);
            }

            transaction.Commit();
            return id;
        }
    }

    public string? GetContainerInstanceArn()
    {
        lock (_gate)
        {
            return GetMeta(ContainerInstanceArnKey, null);
        }
    }

    public void SaveContainerInstanceArn(string arn)
    {
        ArgumentException.ThrowIfNullOrEmpty(arn);
        lock (_gate)
        {
            SetMeta(ContainerInstanceArnKey, arn, null);
        }
    }

    /// <summary>The last dynamic host port handed out (0 before the first), so a restart goes on round-robin from there.</summary>
    public int DynamicPortCursor
    {
        get
        {
            lock (_gate)
            {
                return GetMeta(DynamicPortCursorKey, null) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : 0;
            }
        }

        set
        {
            lock (_gate)
            {
                SetMeta(DynamicPortCursorKey, value.ToString(CultureInfo.InvariantCulture), null);
            }
        }
    }

    /// <summary>The highest sequence number assigned so far (0 before the first state change).</summary>
    public ulong LastSequence
    {
        get
        {
            lock (_gate)
            {
                return ReadLastSequence(null);
            }
        }
    }

    public IReadOnlyList<StoredTask> LoadTasks()
    {
        lock (_gate)
        {
            return ReadTasks(null);
        }
    }

    /// <summary>Every known task and the sequence number they reflect, read in one transaction (the session's hello).</summary>
    public (IReadOnlyList<StoredTask> Tasks, ulong ThroughSequence) ReadSnapshot()
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var tasks = ReadTasks(transaction);
            var through = ReadLastSequence(transaction);
            transaction.Commit();
            return (tasks, through);
        }
    }

    public void SaveTask(StoredTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            WriteTask(task, transaction);
            transaction.Commit();
        }

        Changes.Fire();
    }

    /// <summary>
    /// Saves the task and appends its state change to the outbox under the next sequence number, in one transaction.
    /// </summary>
    public SequencedReport SaveTaskAndReport(StoredTask task, TaskStatusReport report)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(report);
        SequencedReport change;
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            WriteTask(task, transaction);
            var sequence = ReadLastSequence(transaction) + 1;
            SetMeta(LastSequenceKey, sequence.ToString(CultureInfo.InvariantCulture), transaction);
            change = new SequencedReport(sequence, report);
            using (var command = Command("INSERT INTO outbox (sequence, task_arn, report, created_at) VALUES ($sequence, $task, $report, $at)", transaction))
            {
                command.Parameters.AddWithValue("$sequence", (long)sequence);
                command.Parameters.AddWithValue("$task", task.TaskArn);
                command.Parameters.AddWithValue("$report", JsonSerializer.Serialize(report, ReportJson));
                command.Parameters.AddWithValue("$at", _time.GetUtcNow().ToUnixTimeMilliseconds());
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        Changes.Fire();
        return change;
    }

    public void DeleteTask(string taskArn)
    {
        lock (_gate)
        {
            using var command = Command("DELETE FROM tasks WHERE task_arn = $arn", null);
            command.Parameters.AddWithValue("$arn", taskArn);
            command.ExecuteNonQuery();
        }

        Changes.Fire();
    }

    /// <summary>
    /// Whether a state change of the task still waits for the control plane's acknowledgement. Such a task must stay
    /// in the store (and so in every SessionHello) until the control plane has it.
    /// </summary>
    public bool HasUnacknowledged(string taskArn)
    {
        lock (_gate)
        {
            using var command = Command("SELECT EXISTS (SELECT 1 FROM outbox WHERE task_arn = $arn)", null);
            command.Parameters.AddWithValue("$arn", taskArn);
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
        }
    }

    /// <summary>Unacknowledged state changes numbered after <paramref name="afterSequence"/>, in order.</summary>
    public IReadOnlyList<SequencedReport> ReadOutbox(ulong afterSequence, int limit = 256)
    {
        lock (_gate)
        {
            using var command = Command("SELECT sequence, report FROM outbox WHERE sequence > $after ORDER BY sequence LIMIT $limit", null);
            command.Parameters.AddWithValue("$after", (long)afterSequence);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var changes = new List<SequencedReport>();
            while (reader.Read())
            {
                changes.Add(new SequencedReport((ulong)reader.GetInt64(0), JsonSerializer.Deserialize<TaskStatusReport>(reader.GetString(1), ReportJson)!));
            }

            return changes;
        }
    }

    /// <summary>Removes the outbox entries numbered up to <paramref name="throughSequence"/>; returns how many.</summary>
    public int Acknowledge(ulong throughSequence)
    {
        int removed;
        lock (_gate)
        {
            using var command = Command("DELETE FROM outbox WHERE sequence <= $through", null);
            command.Parameters.AddWithValue("$through", (long)Math.Min(throughSequence, long.MaxValue));
            removed = command.ExecuteNonQuery();
        }

        if (removed > 0)
        {
            Changes.Fire();
        }

        return removed;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    private void Migrate()
    {
        var version = Convert.ToInt32(Scalar("PRAGMA user_version", null), CultureInfo.InvariantCulture);
        if (version > Migrations.Length)
        {
            throw new InvalidOperationException(
                $"{Path} has schema version {version}, newer than this agent knows ({Migrations.Length}); upgrade the agent or move the file away.");
        }

        for (; version < Migrations.Length; version++)
        {
            using var transaction = _connection.BeginTransaction();
            using (var command = Command(Migrations[version], transaction))
            {
                command.ExecuteNonQuery();
            }

            using (var command = Command($"PRAGMA user_version = {version + 1}", transaction))
            {
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    private ulong ReadLastSequence(SqliteTransaction? transaction) =>
        GetMeta(LastSequenceKey, transaction) is { } value ? ulong.Parse(value, CultureInfo.InvariantCulture) : 0;

    private string? GetMeta(string key, SqliteTransaction? transaction)
    {
        using var command = Command("SELECT value FROM meta WHERE key = $key", transaction);
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }

    private void SetMeta(string key, string value, SqliteTransaction? transaction)
    {
        using var command = Command("INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", transaction);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql, SqliteTransaction? transaction)
    {
        using var command = Command(sql, transaction);
        return command.ExecuteScalar();
    }

    private void Execute(string sql)
    {
        using var command = Command(sql, null);
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, SqliteTransaction? transaction)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static object Time(DateTimeOffset? value) => value is { } time ? time.ToUnixTimeMilliseconds() : DBNull.Value;

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? NullableTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
