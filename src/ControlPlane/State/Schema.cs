namespace Orchestrator.ControlPlane.State;

/// <summary>
/// The state database's schema. Each entity is a JSON document keyed by its name or ARN; the schema version is
/// SQLite's user_version and every migration moves it up by one.
/// </summary>
public static class Schema
{
    public const string Clusters = "clusters";
    public const string TaskDefinitions = "task_definitions";
    public const string ContainerInstances = "container_instances";
    public const string Tasks = "tasks";
    public const string Tags = "tags";
    public const string Services = "services";
    public const string AccountSettings = "account_settings";
    public const string Schedules = "schedules";
    public const string ScalableTargets = "scalable_targets";
    public const string CapacityProviders = "capacity_providers";
    public const string TargetGroups = "target_groups";
    public const string Listeners = "lb_listeners";

    /// <summary>Migration N (1-based) takes the database from version N-1 to N.</summary>
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE clusters (key TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT;
        CREATE TABLE task_definitions (key TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT;
        CREATE TABLE container_instances (key TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT;
        CREATE TABLE tasks (key TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT;
        """,
        // Tags of every kind of resource in one place, keyed by ARN; clusters kept theirs in their own document.
        """
        CREATE TABLE tags (key TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT;
        INSERT INTO tags (key, doc)
            SELECT json_extract(doc, '$.arn'), json_extract(doc, '$.tags') FROM clusters
            WHERE json_array_length(json_extract(doc, '$.tags')) > 0;
        UPDATE clusters SET doc = json_remove(doc, '$.tags');
        """,
        """
        CREATE TABLE services (key TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT;
        """,
        // awsvpc tasks' addresses live in their task documents; no two tasks that hold theirs (not STOPPED, or stopped
        // while their host was lost) may have the same one.
        // The writer checks this before it stores anything; the index makes the database refuse it as well.
        """
        CREATE UNIQUE INDEX task_addresses ON tasks (json_extract(doc, '$.address.ipv4Address'))
            WHERE json_extract(doc, '$.address.ipv4Address') IS NOT NULL
              AND (json_extract(doc, '$.task.lastStatus') <> 'STOPPED' OR json_extract(doc, '$.awaitingAgentStop') = 1);
        """,
        // ECS account settings (PutAccountSetting, PutAccountSettingDefault), keyed by principal and setting name.
        """
        CREATE TABLE account_settings (key TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT;
        """,
        // Scheduled tasks (EventBridge Scheduler's schedules), keyed by group and name, with their last fire time and runs.
        """
        CREATE TABLE schedules (key TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT;
        """,
        // Service auto scaling (Application Auto Scaling's scalable targets with their policies, scheduled actions and
        // activities), keyed by resource ID (service/CLUSTER/SERVICE).
        """
        CREATE TABLE IF NOT EXISTS scalable_targets (key TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT;
        """,
        // Capacity providers (groups of container instances chosen by a cluster query), keyed by name.
        """
        CREATE TABLE IF NOT EXISTS capacity_providers (key TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT;
        """,
        // The built-in load balancer: target groups (keyed by name) and listener rules (keyed by ARN).
        """
        CREATE TABLE IF NOT EXISTS target_groups (key TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS lb_listeners (key TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT;
        """,
    ];
}
