using System.Text.Json;
using Microsoft.Data.Sqlite;
using Orchestrator.Ecs.Json;

namespace Orchestrator.ControlPlane.State;

/// <summary>The default backend: one SQLite file (WAL) on the control plane's machine; each write is one SQLite transaction.</summary>
public sealed partial class SqliteStateBackend : IStateBackend
{
    private readonly SqliteConnection _connection;
    private readonly ILogger _logger;

    public SqliteStateBackend(string path, ILogger logger)
    {
        _logger = logger;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
        Migrate();
        Description = path;
    }

    public string Description { get; }

    public IReadOnlyList<StoredDocument> LoadAll()
    {
        var documents = new List<StoredDocument>();
        foreach (var table in StateDocuments.Tables)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT key, doc FROM {table}";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                documents.Add(new StoredDocument(table, reader.GetString(0), reader.GetString(1)));
            }
        }

        return documents;
    }

    public Task CommitAsync(IReadOnlyList<StateChange> changes, CancellationToken cancellationToken)
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
        return Task.CompletedTask;
    }

    public void Dispose() => _connection.Dispose();

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

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
