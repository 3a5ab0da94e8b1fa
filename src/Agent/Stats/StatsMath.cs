using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Agent.Stats;

/// <summary>What one container (or a task, summed) uses: the figures <c>docker stats</c> shows.</summary>
public sealed record StatsSummary(
    double CpuPercent,
    long MemoryUsedBytes,
    long MemoryLimitBytes,
    long NetworkRxBytes,
    long NetworkTxBytes,
    long BlockReadBytes,
    long BlockWriteBytes)
{
    public static readonly StatsSummary Empty = new(0, 0, 0, 0, 0, 0, 0);

    public StatsSummary Add(StatsSummary other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(CpuPercent + other.CpuPercent, MemoryUsedBytes + other.MemoryUsedBytes, MemoryLimitBytes + other.MemoryLimitBytes,
            NetworkRxBytes + other.NetworkRxBytes, NetworkTxBytes + other.NetworkTxBytes, BlockReadBytes + other.BlockReadBytes,
            BlockWriteBytes + other.BlockWriteBytes);
    }
}

/// <summary>
/// Arithmetic over Docker stats samples, as the Docker CLI and the ECS agent do it. Pure.
/// </summary>
public static class StatsMath
{
    /// <summary>
    /// The sample as ECS serves it: a one-shot sample has no previous CPU figures, so the previous sample's
    /// <c>cpu_stats</c> and <c>read</c> become <c>precpu_stats</c> and <c>preread</c>; and ECS's own
    /// <c>network_rate_stats</c> (bytes per second since the previous sample). Returns a new object.
    /// </summary>
    public static JsonObject Complete(JsonObject sample, JsonObject? previous)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var result = (JsonObject)sample.DeepClone();
        if (previous is not null)
        {
            if (previous["cpu_stats"] is JsonObject cpu)
            {
                result["precpu_stats"] = cpu.DeepClone();
            }

            if (previous["read"] is JsonValue read)
            {
                result["preread"] = read.DeepClone();
            }

            var seconds = (ReadTime(sample) - ReadTime(previous))?.TotalSeconds;
            if (seconds is > 0 && sample["networks"] is JsonObject)
            {
                var (rx, tx) = Network(sample);
                var (previousRx, previousTx) = Network(previous);
                result["network_rate_stats"] = new JsonObject
                {
                    ["rx_bytes_per_sec"] = Math.Max(0, rx - previousRx) / seconds.Value,
                    ["tx_bytes_per_sec"] = Math.Max(0, tx - previousTx) / seconds.Value,
                };
            }
        }

        return result;
    }

    /// <summary>The figures of a completed sample (see <see cref="Complete"/>); CPU % needs its precpu_stats.</summary>
    public static StatsSummary Summarize(JsonObject sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var (rx, tx) = Network(sample);
        var (read, write) = Block(sample);
        var memory = sample["memory_stats"] as JsonObject;
        var usage = Long(memory?["usage"]);
        var inactive = Long(memory?["stats"]?["inactive_file"]) ?? Long(memory?["stats"]?["total_inactive_file"]) ?? 0;
        var used = usage is { } u ? Math.Max(0, u - (inactive < u ? inactive : 0)) : 0;
        return new StatsSummary(CpuPercent(sample), used, Long(memory?["limit"]) ?? 0, rx, tx, read, write);
    }

    /// <summary>
    /// CPU use since the previous sample as a percentage of one CPU (200 % is two CPUs busy): the container's CPU time
    /// over the host's, times the online CPUs, as <c>docker stats</c> computes it.
    /// </summary>
    public static double CpuPercent(JsonObject sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var total = Long(sample["cpu_stats"]?["cpu_usage"]?["total_usage"]);
        var previousTotal = Long(sample["precpu_stats"]?["cpu_usage"]?["total_usage"]);
        var system = Long(sample["cpu_stats"]?["system_cpu_usage"]);
        var previousSystem = Long(sample["precpu_stats"]?["system_cpu_usage"]);
        if (total is null || previousTotal is null || system is null || previousSystem is null)
        {
            return 0;
        }

        var cpuDelta = (double)(total.Value - previousTotal.Value);
        var systemDelta = (double)(system.Value - previousSystem.Value);
        var cpus = Long(sample["cpu_stats"]?["online_cpus"]) ?? (sample["cpu_stats"]?["cpu_usage"]?["percpu_usage"] as JsonArray)?.Count ?? 1;
        return cpuDelta > 0 && systemDelta > 0 ? cpuDelta / systemDelta * Math.Max(1, cpus) * 100.0 : 0;
    }

    private static (long Rx, long Tx) Network(JsonObject sample)
    {
        long rx = 0, tx = 0;
        if (sample["networks"] is JsonObject networks)
        {
            foreach (var (_, value) in networks)
            {
                rx += Long(value?["rx_bytes"]) ?? 0;
                tx += Long(value?["tx_bytes"]) ?? 0;
            }
        }

        return (rx, tx);
    }

    private static (long Read, long Write) Block(JsonObject sample)
    {
        long read = 0, write = 0;
        if (sample["blkio_stats"]?["io_service_bytes_recursive"] is JsonArray entries)
        {
            foreach (var entry in entries)
            {
                var op = entry?["op"]?.GetValue<string>();
                var value = Long(entry?["value"]) ?? 0;
                if (string.Equals(op, "read", StringComparison.OrdinalIgnoreCase))
                {
                    read += value;
                }
                else if (string.Equals(op, "write", StringComparison.OrdinalIgnoreCase))
                {
                    write += value;
                }
            }
        }

        return (read, write);
    }

    private static DateTimeOffset? ReadTime(JsonObject sample) =>
        sample["read"] is JsonValue value && value.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.Year > 1
            ? time
            : null;

    private static long? Long(JsonNode? node) =>
        node is JsonValue value && (value.TryGetValue<long>(out var l) ? (long?)l : value.TryGetValue<double>(out var d) ? (long)d : null) is { } result
            ? result
            : null;
}
