using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Orchestrator.Agent.State;

/// <summary>Task records: one row per task, one per container.</summary>
public sealed partial class AgentStore
{
    private List<StoredTask> ReadTasks(SqliteTransaction? transaction)
    {
        var containers = new Dictionary<string, List<ContainerRecord>>(StringComparer.Ordinal);
        using (var command = Command(
            """
            SELECT task_arn, name, essential, docker_name, runtime_id, known_status, exit_code, reason, image_digest, network_bindings,
                   started_at, health_status, host_ports, gpu_ids, ipv4_address, mac_address
            FROM containers ORDER BY task_arn, position
            """, transaction))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var taskArn = reader.GetString(0);
                if (!containers.TryGetValue(taskArn, out var list))
                {
                    containers[taskArn] = list = [];
                }

                list.Add(new ContainerRecord
                {
                    Name = reader.GetString(1),
                    Essential = reader.GetInt64(2) != 0,
                    DockerName = NullableString(reader, 3),
                    RuntimeId = NullableString(reader, 4),
                    KnownStatus = Enum.Parse<LifecycleStatus>(reader.GetString(5)),
                    ExitCode = reader.IsDBNull(6) ? null : reader.GetInt32(6),
                    Reason = NullableString(reader, 7),
                    ImageDigest = NullableString(reader, 8),
                    NetworkBindings = [.. JsonSerializer.Deserialize<List<BindingRecord>>(reader.GetString(9), BindingJson) ?? []],
                    StartedAt = NullableTime(reader, 10),
                    Health = NullableString(reader, 11),
                    HostPorts = [.. JsonSerializer.Deserialize<List<PortAssignment>>(reader.GetString(12), BindingJson) ?? []],
                    GpuIds = [.. JsonSerializer.Deserialize<List<string>>(reader.GetString(13), BindingJson) ?? []],
                    Ipv4Address = NullableString(reader, 14),
                    MacAddress = NullableString(reader, 15),
                });
            }
        }

        var tasks = new List<StoredTask>();
        using (var command = Command(
            """
            SELECT task_arn, cluster_arn, task_definition_json, overrides_json, desired_status, known_status, stop_code,
                   stopped_reason, received_at, pull_started_at, pull_stopped_at, started_at, execution_stopped_at, network
            FROM tasks ORDER BY received_at, task_arn
            """, transaction))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var taskArn = reader.GetString(0);
                tasks.Add(new StoredTask
                {
                    TaskArn = taskArn,
                    ClusterArn = reader.GetString(1),
                    TaskDefinitionJson = reader.GetString(2),
                    OverridesJson = reader.GetString(3),
                    DesiredStatus = Enum.Parse<LifecycleStatus>(reader.GetString(4)),
                    KnownStatus = Enum.Parse<LifecycleStatus>(reader.GetString(5)),
                    StopCode = NullableString(reader, 6),
                    StoppedReason = NullableString(reader, 7),
                    ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                    PullStartedAt = NullableTime(reader, 9),
                    PullStoppedAt = NullableTime(reader, 10),
                    StartedAt = NullableTime(reader, 11),
                    ExecutionStoppedAt = NullableTime(reader, 12),
                    Network = NullableString(reader, 13) is { } network ? JsonSerializer.Deserialize<TaskNetworkRecord>(network, BindingJson) : null,
                    Containers = containers.TryGetValue(taskArn, out var list) ? [.. list] : ImmutableList<ContainerRecord>.Empty,
                });
            }
        }

        return tasks;
    }

    private void WriteTask(StoredTask task, SqliteTransaction transaction)
    {
        using (var command = Command(
            """
            INSERT INTO tasks (task_arn, cluster_arn, task_definition_json, overrides_json, desired_status, known_status,
                               stop_code, stopped_reason, received_at, pull_started_at, pull_stopped_at, started_at, execution_stopped_at,
                               network)
            VALUES ($arn, $cluster, $definition, $overrides, $desired, $known, $stopCode, $reason, $received, $pullStarted,
                    $pullStopped, $started, $stopped, $network)
            ON CONFLICT (task_arn) DO UPDATE SET
                desired_status = excluded.desired_status, known_status = excluded.known_status,
                stop_code = excluded.stop_code, stopped_reason = excluded.stopped_reason,
                pull_started_at = excluded.pull_started_at, pull_stopped_at = excluded.pull_stopped_at,
                started_at = excluded.started_at, execution_stopped_at = excluded.execution_stopped_at
            """, transaction))
        {
            command.Parameters.AddWithValue("$arn", task.TaskArn);
            command.Parameters.AddWithValue("$cluster", task.ClusterArn);
            command.Parameters.AddWithValue("$definition", task.TaskDefinitionJson);
            command.Parameters.AddWithValue("$overrides", task.OverridesJson);
            command.Parameters.AddWithValue("$desired", task.DesiredStatus.ToString());
            command.Parameters.AddWithValue("$known", task.KnownStatus.ToString());
            command.Parameters.AddWithValue("$stopCode", (object?)task.StopCode ?? DBNull.Value);
            command.Parameters.AddWithValue("$reason", (object?)task.StoppedReason ?? DBNull.Value);
            command.Parameters.AddWithValue("$received", task.ReceivedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$pullStarted", Time(task.PullStartedAt));
            command.Parameters.AddWithValue("$pullStopped", Time(task.PullStoppedAt));
            command.Parameters.AddWithValue("$started", Time(task.StartedAt));
            command.Parameters.AddWithValue("$stopped", Time(task.ExecutionStoppedAt));
            command.Parameters.AddWithValue("$network", task.Network is { } network ? JsonSerializer.Serialize(network, BindingJson) : DBNull.Value);
            command.ExecuteNonQuery();
        }

        for (var position = 0; position < task.Containers.Count; position++)
        {
            var container = task.Containers[position];
            using var command = Command(
                """
                INSERT INTO containers (task_arn, position, name, essential, docker_name, runtime_id, known_status, exit_code,
                                        reason, image_digest, network_bindings, started_at, health_status, host_ports, gpu_ids,
                                        ipv4_address, mac_address)
                VALUES ($arn, $position, $name, $essential, $dockerName, $runtimeId, $known, $exitCode, $reason, $digest, $bindings,
                        $startedAt, $health, $hostPorts, $gpuIds, $ipv4Address, $macAddress)
                ON CONFLICT (task_arn, name) DO UPDATE SET
                    position = excluded.position, essential = excluded.essential, docker_name = excluded.docker_name,
                    runtime_id = excluded.runtime_id, known_status = excluded.known_status, exit_code = excluded.exit_code,
                    reason = excluded.reason, image_digest = excluded.image_digest, network_bindings = excluded.network_bindings,
                    started_at = excluded.started_at, health_status = excluded.health_status, host_ports = excluded.host_ports,
                    gpu_ids = excluded.gpu_ids, ipv4_address = excluded.ipv4_address, mac_address = excluded.mac_address
                """, transaction);
            command.Parameters.AddWithValue("$arn", task.TaskArn);
            command.Parameters.AddWithValue("$position", position);
            command.Parameters.AddWithValue("$name", container.Name);
            command.Parameters.AddWithValue("$essential", container.Essential ? 1 : 0);
            command.Parameters.AddWithValue("$dockerName", (object?)container.DockerName ?? DBNull.Value);
            command.Parameters.AddWithValue("$runtimeId", (object?)container.RuntimeId ?? DBNull.Value);
            command.Parameters.AddWithValue("$known", container.KnownStatus.ToString());
            command.Parameters.AddWithValue("$exitCode", (object?)container.ExitCode ?? DBNull.Value);
            command.Parameters.AddWithValue("$reason", (object?)container.Reason ?? DBNull.Value);
            command.Parameters.AddWithValue("$digest", (object?)container.ImageDigest ?? DBNull.Value);
            command.Parameters.AddWithValue("$bindings", JsonSerializer.Serialize(container.NetworkBindings, BindingJson));
            command.Parameters.AddWithValue("$startedAt", Time(container.StartedAt));
            command.Parameters.AddWithValue("$health", (object?)container.Health ?? DBNull.Value);
            command.Parameters.AddWithValue("$hostPorts", JsonSerializer.Serialize(container.HostPorts, BindingJson));
            command.Parameters.AddWithValue("$gpuIds", JsonSerializer.Serialize(container.GpuIds, BindingJson));
            command.Parameters.AddWithValue("$ipv4Address", (object?)container.Ipv4Address ?? DBNull.Value);
            command.Parameters.AddWithValue("$macAddress", (object?)container.MacAddress ?? DBNull.Value);
            command.ExecuteNonQuery();
        }
    }
}
