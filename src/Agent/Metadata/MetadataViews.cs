using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Agent.Awsvpc;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Stats;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Metadata;

/// <summary>
/// ECS's task metadata (v4) shapes, built from what the agent knows: the container (<c>${URI}</c>), the task
/// (<c>${URI}/task</c>) and the stats. No environment values, secrets or log secret options: ECS shows none. Pure.
/// </summary>
public static class MetadataViews
{
    public static JsonObject Task(KnownTask task, string cluster)
    {
        ArgumentNullException.ThrowIfNull(task);
        var record = task.Record;
        var view = new JsonObject
        {
            ["Cluster"] = cluster,
            ["TaskARN"] = record.TaskArn,
            ["Family"] = task.Definition?.Family ?? "",
            ["Revision"] = (task.Definition?.Revision ?? 0).ToString(CultureInfo.InvariantCulture),
            ["DesiredStatus"] = Status(record.DesiredStatus),
            ["KnownStatus"] = Status(record.KnownStatus),
        };
        if (TaskLimits(task.Definition) is { } limits)
        {
            view["Limits"] = limits;
        }

        AddTime(view, "PullStartedAt", record.PullStartedAt);
        AddTime(view, "PullStoppedAt", record.PullStoppedAt);
        AddTime(view, "ExecutionStoppedAt", record.ExecutionStoppedAt);
        view["LaunchType"] = "EC2";
        view["Containers"] = new JsonArray([.. record.Containers.Select(c => (JsonNode)Container(task, c))]);
        return view;
    }

    public static JsonObject Container(KnownTask task, ContainerRecord container)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(container);
        var record = task.Record;
        var definition = task.ContainerDefinition(container.Name);
        var pause = record.Network is not null && AwsvpcTask.IsPause(container.Name);
        var view = new JsonObject();
        if (container.RuntimeId is not null)
        {
            view["DockerId"] = container.RuntimeId;
        }

        view["Name"] = container.Name;
        view["DockerName"] = container.DockerName ?? "";
        view["Image"] = definition?.Image ?? (pause ? PauseImage.Repository : "");
        view["ImageID"] = container.ImageDigest ?? "";
        if (container.NetworkBindings.Count > 0)
        {
            view["Ports"] = new JsonArray([.. container.NetworkBindings.Select(b => (JsonNode)new JsonObject
            {
                ["ContainerPort"] = b.ContainerPort,
                ["Protocol"] = b.Protocol,
                ["HostPort"] = b.HostPort,
                ["HostIp"] = b.BindIp,
            })]);
        }

        if (!pause)
        {
            view["Labels"] = Labels(task, container.Name, definition);
        }

        view["DesiredStatus"] = Status(record.DesiredStatus);
        view["KnownStatus"] = Status(container.KnownStatus);
        if (container.ExitCode is { } exitCode)
        {
            view["ExitCode"] = exitCode;
        }

        view["Limits"] = new JsonObject { ["CPU"] = Math.Max(2, definition?.Cpu ?? 0), ["Memory"] = definition?.Memory ?? 0 };
        AddTime(view, "StartedAt", container.StartedAt);
        view["Type"] = pause ? "CNI_PAUSE" : "NORMAL";
        if (container.Health is HealthStatuses.Healthy or HealthStatuses.Unhealthy)
        {
            view["Health"] = new JsonObject { ["status"] = container.Health };
        }

        if (definition?.LogConfiguration is { LogDriver: { } driver } log)
        {
            view["LogDriver"] = driver;
            view["LogOptions"] = new JsonObject([.. (log.Options ?? new Dictionary<string, string>()).Select(o => KeyValuePair.Create(o.Key, (JsonNode?)o.Value))]);
        }

        if (Networks(task) is { } networks)
        {
            view["Networks"] = networks;
        }

        return view;
    }

    /// <summary><c>${URI}/stats</c>: the latest sample, <c>{}</c> while there is none (ECS's answer too).</summary>
    public static JsonObject Stats(ContainerStats? stats) => stats is null ? [] : (JsonObject)stats.Sample.DeepClone();

    /// <summary><c>${URI}/task/stats</c>: Docker ID → sample, for every container of the task with an ID.</summary>
    public static JsonObject TaskStats(KnownTask task, Func<string, ContainerStats?> latest)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(latest);
        var view = new JsonObject();
        foreach (var container in task.Record.Containers.Where(c => c.RuntimeId is not null))
        {
            view[container.RuntimeId!] = Stats(latest(container.RuntimeId!));
        }

        return view;
    }

    /// <summary>The agent's statuses as the metadata endpoint spells them (NONE, PULLED, CREATED, RUNNING, STOPPED).</summary>
    public static string Status(LifecycleStatus status) => status.ToString().ToUpperInvariant();

    /// <summary>An RFC 3339 UTC timestamp with fractional seconds, as the ECS agent writes them.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Labels(KnownTask task, string name, ContainerDefinition? definition)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in definition?.DockerLabels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        labels["com.amazonaws.ecs.cluster"] = Arns.ShortName(task.Record.ClusterArn, "cluster");
        labels["com.amazonaws.ecs.container-name"] = name;
        labels["com.amazonaws.ecs.task-arn"] = task.Record.TaskArn;
        labels["com.amazonaws.ecs.task-definition-family"] = task.Definition?.Family ?? "";
        labels["com.amazonaws.ecs.task-definition-version"] = (task.Definition?.Revision ?? 0).ToString(CultureInfo.InvariantCulture);
        return labels;
    }

    private static JsonArray? Networks(KnownTask task)
    {
        var mode = task.Definition?.EffectiveNetworkMode ?? NetworkModes.Bridge;
        if (task.Record.Network is { } network)
        {
            var pause = task.Record.Containers.FirstOrDefault(c => AwsvpcTask.IsPause(c.Name));
            var awsvpc = new JsonObject
            {
                ["NetworkMode"] = NetworkModes.Awsvpc,
                ["IPv4Addresses"] = new JsonArray(network.Ipv4Address),
                ["AttachmentIndex"] = 0,
            };
            if (pause?.MacAddress is { } mac)
            {
                awsvpc["MACAddress"] = mac;
            }

            awsvpc["IPv4SubnetCIDRBlock"] = AwsvpcTask.SubnetCidr(network);
            awsvpc["SubnetGatewayIpv4Address"] = $"{network.Gateway}/{network.PrefixLength}";
            return [awsvpc];
        }

        return mode == NetworkModes.None ? null : [new JsonObject { ["NetworkMode"] = mode }];
    }

    private static JsonObject? TaskLimits(TaskDefinition? definition)
    {
        var cpu = double.TryParse(definition?.Cpu, NumberStyles.Float, CultureInfo.InvariantCulture, out var units) ? units / 1024.0 : (double?)null;
        var memory = long.TryParse(definition?.Memory, NumberStyles.None, CultureInfo.InvariantCulture, out var mib) ? mib : (long?)null;
        if (cpu is null && memory is null)
        {
            return null;
        }

        var limits = new JsonObject();
        if (cpu is not null)
        {
            limits["CPU"] = cpu;
        }

        if (memory is not null)
        {
            limits["Memory"] = memory;
        }

        return limits;
    }

    private static void AddTime(JsonObject view, string name, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            view[name] = Time(value);
        }
    }
}
