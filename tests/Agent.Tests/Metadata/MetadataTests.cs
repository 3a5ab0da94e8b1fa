using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Introspection;
using Orchestrator.Agent.Metadata;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Stats;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Tests.Metadata;

/// <summary>
/// The metadata tokens (unguessable, stable across restarts, one per container), the variables a container gets per
/// network mode, the ECS shapes of the metadata and introspection views (no environment values), and the stats arithmetic.
/// </summary>
public sealed class MetadataTests : IDisposable
{
    private const string TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/prod/abc";
    private const string ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/prod";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "orch-meta-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Tokens_SameKeyFileSameTokens_DifferentPerContainerAndPerKey()
    {
        var first = MetadataTokens.LoadOrCreate(_dir);
        var again = MetadataTokens.LoadOrCreate(_dir);
        var other = new MetadataTokens(new byte[32]);

        var token = first.For(TaskArn, "web");
        Assert.Matches("^[0-9a-f]{32}$", token);
        Assert.Equal(token, again.For(TaskArn, "web"));
        Assert.NotEqual(token, first.For(TaskArn, "sidecar"));
        Assert.NotEqual(token, first.For(TaskArn + "x", "web"));
        Assert.NotEqual(token, other.For(TaskArn, "web"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, MetadataTokens.KeyFileName)));
        }
    }

    [Fact]
    public void Environment_PerNetworkMode_OnlyWhereTheEndpointListens()
    {
        var tokens = new MetadataTokens(new byte[32]);
        var metadata = new ContainerMetadata(tokens);
        Assert.Empty(metadata.EnvironmentFor(TaskArn, "web", NetworkModes.Bridge));

        metadata.Listening("127.0.0.1:51679", "172.17.0.1:51679", null);
        var token = tokens.For(TaskArn, "web");

        Assert.Equal(
            [$"ECS_CONTAINER_METADATA_URI_V4=http://172.17.0.1:51679/v4/{token}", $"ECS_CONTAINER_METADATA_URI=http://172.17.0.1:51679/v3/{token}"],
            metadata.EnvironmentFor(TaskArn, "web", NetworkModes.Bridge));
        Assert.StartsWith("ECS_CONTAINER_METADATA_URI_V4=http://127.0.0.1:51679/v4/", metadata.EnvironmentFor(TaskArn, "web", NetworkModes.Host)[0], StringComparison.Ordinal);
        Assert.Empty(metadata.EnvironmentFor(TaskArn, "web", NetworkModes.Awsvpc));
        Assert.Empty(metadata.EnvironmentFor(TaskArn, "web", NetworkModes.None));
        Assert.Null(metadata.AwsvpcNetwork);
    }

    [Fact]
    public void ContainerSpec_AgentVariablesWinOverTheDefinitions()
    {
        var definition = Definition();
        var spec = ContainerSpecBuilder.Build(definition, definition.ContainerDefinitions[0], null, "ecs-app-1-web-0", TaskArn, ClusterArn, null,
            new ContainerContext { ExtraEnvironment = ["ECS_CONTAINER_METADATA_URI_V4=http://172.17.0.1:51679/v4/real"] });

        Assert.Contains("ECS_CONTAINER_METADATA_URI_V4=http://172.17.0.1:51679/v4/real", spec.Environment);
        Assert.DoesNotContain("ECS_CONTAINER_METADATA_URI_V4=http://evil/", spec.Environment);
        Assert.Contains("PASSWORD=hunter2", spec.Environment);
    }

    [Fact]
    public void TaskView_EcsShape_NoEnvironmentValues()
    {
        var task = new KnownTask(Record(), Definition());

        var view = MetadataViews.Task(task, "prod");

        Assert.Equal(("prod", TaskArn, "app", "3"), ((string?)view["Cluster"], (string?)view["TaskARN"], (string?)view["Family"], (string?)view["Revision"]));
        Assert.Equal(("RUNNING", "RUNNING", "EC2"), ((string?)view["DesiredStatus"], (string?)view["KnownStatus"], (string?)view["LaunchType"]));
        Assert.Equal(0.5, (double?)view["Limits"]!["CPU"]);
        Assert.Equal(1024, (long?)view["Limits"]!["Memory"]);
        var container = view["Containers"]![0]!;
        Assert.Equal(("d0c", "web", "NORMAL"), ((string?)container["DockerId"], (string?)container["Name"], (string?)container["Type"]));
        Assert.Equal(256, (int?)container["Limits"]!["CPU"]);
        Assert.Equal(TaskArn, (string?)container["Labels"]!["com.amazonaws.ecs.task-arn"]);
        Assert.Equal(8080, (int?)container["Ports"]![0]!["HostPort"]);
        Assert.Equal("bridge", (string?)container["Networks"]![0]!["NetworkMode"]);
        Assert.DoesNotContain("hunter2", view.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("PASSWORD", view.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void IntrospectionTask_ApiStatuses_NoInternalContainers()
    {
        var record = Record() with
        {
            KnownStatus = LifecycleStatus.Created,
            Network = new TaskNetworkRecord("att", "subnet-1", "10.0.1.5", 24, "10.0.1.1"),
            Containers = Record().Containers.Add(new ContainerRecord { Name = "~internal~ecs~pause", RuntimeId = "p4u5e", KnownStatus = LifecycleStatus.Running }),
        };

        var view = IntrospectionViews.Task(new KnownTask(record, Definition()));

        Assert.Equal(("PENDING", "RUNNING", "3"), ((string?)view["KnownStatus"], (string?)view["DesiredStatus"], (string?)view["Version"]));
        var container = Assert.Single(view["Containers"]!.AsArray());
        Assert.Equal("d0c", (string?)container!["DockerId"]);
        Assert.Equal("10.0.1.5", (string?)container["Networks"]![0]!["IPv4Addresses"]![0]);
    }

    [Fact]
    public void Stats_OneShotSamples_PreviousBecomesPrecpu_CpuMemoryNetworkBlock()
    {
        var first = Sample("2026-01-01T00:00:00Z", totalCpu: 1_000_000_000, systemCpu: 100_000_000_000, rx: 1_000, tx: 500);
        var second = Sample("2026-01-01T00:00:02Z", totalCpu: 1_500_000_000, systemCpu: 102_000_000_000, rx: 5_000, tx: 2_500);

        var completed = StatsMath.Complete(second, StatsMath.Complete(first, null));
        var summary = StatsMath.Summarize(completed);

        Assert.Equal(1_000_000_000, (long?)completed["precpu_stats"]!["cpu_usage"]!["total_usage"]);
        Assert.Equal("2026-01-01T00:00:00Z", (string?)completed["preread"]);
        Assert.Equal(2_000.0, (double?)completed["network_rate_stats"]!["rx_bytes_per_sec"]);
        Assert.Equal(1_000.0, (double?)completed["network_rate_stats"]!["tx_bytes_per_sec"]);
        // 0.5 s of CPU over 2 s of host time on 2 CPUs: 25 % of the host, 50 % of one CPU.
        Assert.Equal(50.0, summary.CpuPercent, 6);
        Assert.Equal(10_000_000 - 2_000_000, summary.MemoryUsedBytes);
        Assert.Equal(64L * 1024 * 1024, summary.MemoryLimitBytes);
        Assert.Equal((5_000L, 2_500L, 4_096L, 8_192L), (summary.NetworkRxBytes, summary.NetworkTxBytes, summary.BlockReadBytes, summary.BlockWriteBytes));
        Assert.Equal(0, StatsMath.Summarize(StatsMath.Complete(first, null)).CpuPercent);
        Assert.Equal((100.0, summary.MemoryUsedBytes * 2), (summary.Add(summary).CpuPercent, summary.Add(summary).MemoryUsedBytes));
    }

    private static JsonObject Sample(string read, long totalCpu, long systemCpu, long rx, long tx) => JsonNode.Parse($$"""
        {
          "read": "{{read}}", "preread": "0001-01-01T00:00:00Z", "id": "d0c",
          "cpu_stats": { "cpu_usage": { "total_usage": {{totalCpu}} }, "system_cpu_usage": {{systemCpu}}, "online_cpus": 2 },
          "precpu_stats": { "cpu_usage": { "total_usage": 0 }, "throttling_data": {} },
          "memory_stats": { "usage": 10000000, "limit": 67108864, "stats": { "inactive_file": 2000000 } },
          "networks": { "eth0": { "rx_bytes": {{rx}}, "tx_bytes": {{tx}} } },
          "blkio_stats": { "io_service_bytes_recursive": [ { "op": "read", "value": 4096 }, { "op": "write", "value": 8192 } ] }
        }
        """)!.AsObject();

    private static TaskDefinition Definition() => new()
    {
        Family = "app",
        Revision = 3,
        Cpu = "512",
        Memory = "1024",
        ContainerDefinitions =
        [
            new ContainerDefinition
            {
                Name = "web",
                Image = "nginx:1.27",
                Cpu = 256,
                Memory = 512,
                Environment = [new NameValuePair("PASSWORD", "hunter2"), new NameValuePair("ECS_CONTAINER_METADATA_URI_V4", "http://evil/")],
            },
        ],
    };

    private static StoredTask Record() => new()
    {
        TaskArn = TaskArn,
        ClusterArn = ClusterArn,
        TaskDefinitionJson = EcsJson.Serialize(Definition()),
        ReceivedAt = DateTimeOffset.UnixEpoch,
        KnownStatus = LifecycleStatus.Running,
        Containers = ImmutableList.Create(new ContainerRecord
        {
            Name = "web",
            DockerName = "ecs-app-3-web-0",
            RuntimeId = "d0c",
            KnownStatus = LifecycleStatus.Running,
            StartedAt = DateTimeOffset.UnixEpoch,
            NetworkBindings = [new BindingRecord("0.0.0.0", 80, 8080, "tcp")],
        }),
    };
}
