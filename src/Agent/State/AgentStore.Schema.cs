namespace Orchestrator.Agent.State;

public sealed partial class AgentStore
{
    /// <summary>
    /// Schema migrations; migration <c>i</c> takes the database from <c>PRAGMA user_version</c> i to i + 1. Append
    /// only: never edit one that has shipped.
    /// </summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE tasks (
            task_arn             TEXT PRIMARY KEY,
            cluster_arn          TEXT NOT NULL,
            task_definition_json TEXT NOT NULL,
            overrides_json       TEXT NOT NULL,
            desired_status       TEXT NOT NULL,
            known_status         TEXT NOT NULL,
            stop_code            TEXT,
            stopped_reason       TEXT,
            received_at          INTEGER NOT NULL,
            pull_started_at      INTEGER,
            pull_stopped_at      INTEGER,
            started_at           INTEGER,
            execution_stopped_at INTEGER
        );
        CREATE TABLE containers (
            task_arn         TEXT NOT NULL REFERENCES tasks (task_arn) ON DELETE CASCADE,
            position         INTEGER NOT NULL,
            name             TEXT NOT NULL,
            essential        INTEGER NOT NULL,
            docker_name      TEXT,
            runtime_id       TEXT,
            known_status     TEXT NOT NULL,
            exit_code        INTEGER,
            reason           TEXT,
            image_digest     TEXT,
            network_bindings TEXT NOT NULL,
            PRIMARY KEY (task_arn, name)
        );
        CREATE INDEX containers_runtime_id ON containers (runtime_id);
        CREATE TABLE outbox (
            sequence   INTEGER PRIMARY KEY,
            task_arn   TEXT NOT NULL,
            change     BLOB NOT NULL,
            created_at INTEGER NOT NULL
        );
        """,
        """
        ALTER TABLE containers ADD COLUMN started_at INTEGER;
        ALTER TABLE containers ADD COLUMN health_status TEXT;
        ALTER TABLE containers ADD COLUMN host_ports TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE containers ADD COLUMN gpu_ids TEXT NOT NULL DEFAULT '[]';
        """,
        """
        ALTER TABLE tasks ADD COLUMN network TEXT;
        ALTER TABLE containers ADD COLUMN ipv4_address TEXT;
        ALTER TABLE containers ADD COLUMN mac_address TEXT;
        """,
        // The outbox holds the engine's own reports as JSON, no longer protocol messages. Rows not yet acknowledged
        // are dropped: every hello carries each task's current state, so the control plane still learns where every
        // task is; only intermediate states of that backlog are not told.
        """
        DROP TABLE outbox;
        CREATE TABLE outbox (
            sequence   INTEGER PRIMARY KEY,
            task_arn   TEXT NOT NULL,
            report     TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        """,
    ];

    public static int SchemaVersion => Migrations.Length;
}
