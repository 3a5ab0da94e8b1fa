using System.Text.Json.Nodes;
using Orchestrator.Agent.Awsvpc;
using Orchestrator.Agent.Metadata;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Stats;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Introspection;

/// <summary>The ECS agent introspection API's shapes (<c>/v1/metadata</c>, <c>/v1/tasks</c>). Pure.</summary>
public static class IntrospectionViews
{
    public static JsonObject Metadata(string cluster, string? containerInstanceArn, string version) => new()
    {
        ["Cluster"] = cluster,
        ["ContainerInstanceArn"] = containerInstanceArn,
        ["Version"] = version,
    };

    public static JsonObject Tasks(IEnumerable<KnownTask> tasks) => new()
    {
        ["Tasks"] = new JsonArray([.. tasks.Select(t => (JsonNode)Task(t))]),
    };

    /// <summary>A task, its internal containers (an awsvpc task's pause container) left out, statuses as the API's.</summary>
    public static JsonObject Task(KnownTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var record = task.Record;
        var view = new JsonObject { ["Arn"] = record.TaskArn };
        var known = record.KnownStatus.ToReported();
        var desired = record.DesiredStatus.ToReported();
        if (!(known == ReportedStatus.Stopped && desired != ReportedStatus.Stopped))
        {
            view["DesiredStatus"] = Status(desired);
        }

        view["KnownStatus"] = Status(known);
        view["Family"] = task.Definition?.Family ?? "";
        view["Version"] = (task.Definition?.Revision ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        view["Containers"] = new JsonArray([.. record.Containers.Where(c => !(record.Network is not null && AwsvpcTask.IsPause(c.Name)))
            .Select(c => (JsonNode)Container(task, c))]);
        return view;
    }

    /// <summary>The empty task ECS answers with an error status.</summary>
    public static JsonObject EmptyTask() => new()
    {
        ["Arn"] = "",
        ["KnownStatus"] = "",
        ["Family"] = "",
        ["Version"] = "",
        ["Containers"] = null,
    };

    /// <summary>
    /// <c>/v1/stats</c> (this agent's, not ECS's): per task and container, the latest CPU %, memory used and limit,
    /// network and block I/O bytes.
    /// </summary>
    public static JsonObject Stats(IEnumerable<KnownTask> tasks, StatsSampler stats, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var list = new JsonArray();
        foreach (var task in tasks.Where(t => t.Record.KnownStatus == LifecycleStatus.Running))
        {
            var ids = task.Record.Containers.Where(c => c.RuntimeId is not null).Select(c => c.RuntimeId!).ToList();
            var view = Figures(stats.TaskSummary(ids));
            view["Arn"] = task.Record.TaskArn;
            view["Containers"] = new JsonArray([.. task.Record.Containers.Where(c => c.RuntimeId is not null).Select(c =>
            {
                var container = Figures(stats.Latest(c.RuntimeId!)?.Summary ?? StatsSummary.Empty);
                container["DockerId"] = c.RuntimeId;
                container["Name"] = c.Name;
                return (JsonNode)container;
            })]);
            list.Add(view);
        }

        return new JsonObject { ["SamplingEnabled"] = enabled, ["Tasks"] = list };
    }

    private static JsonObject Figures(StatsSummary summary) => new()
    {
        ["CpuPercent"] = Math.Round(summary.CpuPercent, 3),
        ["MemoryUsedBytes"] = summary.MemoryUsedBytes,
        ["MemoryLimitBytes"] = summary.MemoryLimitBytes,
        ["NetworkRxBytes"] = summary.NetworkRxBytes,
        ["NetworkTxBytes"] = summary.NetworkTxBytes,
        ["BlockReadBytes"] = summary.BlockReadBytes,
        ["BlockWriteBytes"] = summary.BlockWriteBytes,
    };

    private static JsonObject Container(KnownTask task, ContainerRecord container)
    {
        var definition = task.ContainerDefinition(container.Name);
        var view = new JsonObject
        {
            ["DockerId"] = container.RuntimeId ?? "",
            ["DockerName"] = container.DockerName ?? "",
            ["Name"] = container.Name,
            ["Image"] = definition?.Image ?? "",
            ["ImageID"] = container.ImageDigest ?? "",
        };
        if (container.StartedAt is { } started)
        {
            view["StartedAt"] = MetadataViews.Time(started);
        }

        if (container.NetworkBindings.Count > 0)
        {
            view["Ports"] = new JsonArray([.. container.NetworkBindings.Select(b => (JsonNode)new JsonObject
            {
                ["ContainerPort"] = b.ContainerPort,
                ["Protocol"] = b.Protocol,
                ["HostPort"] = b.HostPort,
            })]);
        }

        if (task.Record.Network is { } network)
        {
            view["Networks"] = new JsonArray(new JsonObject { ["NetworkMode"] = NetworkModes.Awsvpc, ["IPv4Addresses"] = new JsonArray(network.Ipv4Address) });
        }

        return view;
    }

    private static string Status(ReportedStatus status) => status.ToString().ToUpperInvariant();
}
