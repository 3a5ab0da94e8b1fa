using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// A control plane and an agent as real processes on this machine's Docker engine, driven through the real CLI.
/// Each instance has its own ports, data directories and cluster name; DisposeAsync stops the processes and removes
/// every container the agent created, even when the test failed.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    public const string ClusterLabel = "com.amazonaws.ecs.cluster";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "orch-e2e-" + Guid.NewGuid().ToString("N")[..12]);

    private readonly OrchCli _cli;
    private string[]? _joinArguments;
    private string[]? _agentPorts;
    private static int _portSlices = Random.Shared.Next(60);

    public LocalCluster()
    {
        _cli = new OrchCli(() => Endpoint, () => AdminConfig);
        ClusterName = "e2e-" + Guid.NewGuid().ToString("N")[..10];
        GrpcPort = FreePort();
        HttpPort = FreePort();
        Directory.CreateDirectory(_root);
    }

    public const string AccessKeyId = "AKIDLOCALCLUSTER";
    public const string SecretAccessKey = "local/cluster+secret";

    public string ClusterName { get; }
    public int GrpcPort { get; }
    public int HttpPort { get; }
    public string Endpoint => $"https://127.0.0.1:{GrpcPort}";
    public string ControlPlaneDataDir => Path.Combine(_root, "controlplane");

    /// <summary>The orch configuration the control plane wrote on its first start: endpoint, CA and admin key.</summary>
    public string AdminConfig => Path.Combine(ControlPlaneDataDir, "orch-admin.json");

    public string CaFile => Path.Combine(ControlPlaneDataDir, "pki", "ca.crt");
    public string AgentDataDir => Path.Combine(_root, "agent");
    public ManagedProcess? ControlPlane { get; private set; }
    public ManagedProcess? Agent { get; private set; }

    /// <summary>Agents started with <see cref="AddAgentAsync"/>: more container instances on the same Docker engine.</summary>
    public List<ManagedProcess> ExtraAgents { get; } = [];
    public DockerClient Docker { get; } = new DockerClientBuilder().WithEndpoint(new Uri("unix:///var/run/docker.sock")).Build();

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Arguments both programs get besides the harness's own (e.g. a log level).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>Arguments only the control plane gets (after <see cref="ExtraArguments"/>).</summary>
    public IReadOnlyList<string> ControlPlaneArguments { get; init; } = [];

    /// <summary>Arguments only the first agent (<see cref="StartAgentAsync"/>) gets (after <see cref="ExtraArguments"/>).</summary>
    public IReadOnlyList<string> AgentArguments { get; init; } = [];

    /// <summary>The activation code the agents of this cluster joined with.</summary>
    public string? ActivationCode => _joinArguments is { } join ? join[Array.IndexOf(join, "--activation-code") + 1] : null;

    /// <summary>Starts the control plane, creates this cluster, starts an agent and waits until it is connected.</summary>
    public static async Task<LocalCluster> StartAsync(CancellationToken cancellationToken, params string[] extraArguments)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var cluster = new LocalCluster { ExtraArguments = extraArguments };
        await cluster.StartControlPlaneAsync();
        (await cluster.OrchAsync("cluster", "create", cluster.ClusterName)).EnsureSuccess();
        await cluster.StartAgentAsync();
        await cluster.WaitForConnectedInstanceAsync();
        return cluster;
    }

    public async Task StartControlPlaneAsync()
    {
        var keys = Path.Combine(_root, "access-keys");
        await File.WriteAllTextAsync(keys, $"{AccessKeyId} {SecretAccessKey}\n", Token);
        ControlPlane = ManagedProcess.Start("controlplane", Programs.ControlPlane,
            ["--data-dir", ControlPlaneDataDir, "--grpc-port", $"{GrpcPort}", "--http-port", $"{HttpPort}", "--agent-heartbeat-timeout", "00:00:10",
             "--access-keys-file", keys, .. ExtraArguments, .. ControlPlaneArguments]);
        using var http = new HttpClient();
        await Eventually.Async(async () =>
        {
            Assert.False(ControlPlane.HasExited, "The control plane exited:\n" + ControlPlane.Output);
            var health = await http.GetStringAsync(new Uri($"http://127.0.0.1:{HttpPort}/healthz"), Token);
            Assert.Contains("ok", health, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), Diagnostics);
    }

    /// <summary>Starts the agent; the first time, it joins with an activation made with orch, as a user joins a host.</summary>
    public async Task StartAgentAsync()
    {
        _agentPorts ??= AgentPorts();
        Agent = ManagedProcess.Start("agent", Programs.Agent,
            [.. await JoinArgumentsAsync(), "--cluster", ClusterName, "--data-dir", AgentDataDir, "--docker-host", "unix:///var/run/docker.sock",
             .. _agentPorts, .. ExtraArguments, .. AgentArguments]);
    }

    /// <summary>Another agent (its own data directory, so its own container instance) on this machine's Docker engine.</summary>
    public async Task<ManagedProcess> AddAgentAsync(params string[] agentArguments)
    {
        var agent = ManagedProcess.Start($"agent{ExtraAgents.Count + 2}", Programs.Agent,
            [.. await JoinArgumentsAsync(), "--cluster", ClusterName, "--data-dir", Path.Combine(_root, $"agent{ExtraAgents.Count + 2}"), "--docker-host", "unix:///var/run/docker.sock",
             .. AgentPorts(agentArguments), .. ExtraArguments, .. AgentArguments, .. agentArguments]);
        ExtraAgents.Add(agent);
        return agent;
    }

    /// <summary>One activation (for up to 20 hosts) shared by this cluster's agents.</summary>
    private async Task<string[]> JoinArgumentsAsync() => _joinArguments ??= await _cli.JoinArgumentsAsync(ClusterName, CaFile, maxRegistrations: 20);

    /// <summary>Waits until <paramref name="count"/> container instances are registered and connected.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForConnectedInstancesAsync(int count)
    {
        IReadOnlyList<JsonElement> instances = [];
        await Eventually.Async(async () =>
        {
            instances = (await OrchJsonAsync("instance", "list", "--cluster", ClusterName)).GetProperty("containerInstances").EnumerateArray().ToList();
            Assert.Equal(count, instances.Count(i => i.GetProperty("agentConnected").GetBoolean()));
        }, TimeSpan.FromSeconds(60), Diagnostics);
        return instances;
    }

    public async Task<JsonElement> WaitForConnectedInstanceAsync()
    {
        JsonElement instance = default;
        await Eventually.Async(async () =>
        {
            var instances = (await OrchJsonAsync("instance", "list", "--cluster", ClusterName)).GetProperty("containerInstances");
            instance = Assert.Single(instances.EnumerateArray().ToList());
            Assert.True(instance.GetProperty("agentConnected").GetBoolean(), "the agent is not connected yet");
        }, TimeSpan.FromSeconds(60), Diagnostics);
        return instance;
    }

    /// <summary>Runs `orch` against this cluster's control plane.</summary>
    public Task<CommandResult> OrchAsync(params string[] arguments) => _cli.RunAsync(arguments);

    /// <summary>Runs `orch … --output json` and parses what it printed.</summary>
    public Task<JsonElement> OrchJsonAsync(params string[] arguments) => _cli.JsonAsync(arguments);

    /// <summary>Starts <c>orch …</c> as a process that keeps running (a followed log).</summary>
    public ManagedProcess OrchStart(params string[] arguments) => _cli.Start(arguments);

    public Task<T> OrchJsonAsync<T>(params string[] arguments) => _cli.JsonAsync<T>(arguments);

    public string Diagnostics() => $"{ControlPlane?.Output}\n{Agent?.Output}\n{string.Join('\n', ExtraAgents.Select(a => a.Output))}";

    public async ValueTask DisposeAsync()
    {
        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }

        foreach (var agent in ExtraAgents)
        {
            await agent.DisposeAsync();
        }

        if (ControlPlane is not null)
        {
            await ControlPlane.DisposeAsync();
        }

        var containers = await Docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [ClusterLabel] = true } },
        }, CancellationToken.None);
        foreach (var container in containers.Where(c => c.Labels[ClusterLabel].EndsWith("/" + ClusterName, StringComparison.Ordinal) || c.Labels[ClusterLabel] == ClusterName))
        {
            await Docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }

        Docker.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// The host ports an agent of this harness listens on or hands out, its own so that test classes running at the same
    /// time on this engine never meet: a metadata port and an introspection port the OS found free, and a slice of
    /// 400 dynamic host ports (the agents of two clusters would otherwise both start at the first port of the same range
    /// and race for it). A test's own <c>--Agent:MetadataPort</c>, <c>--Agent:IntrospectionEndpoint</c> or
    /// <c>--dynamic-port-range</c> wins.
    /// </summary>
    private string[] AgentPorts(params string[] more)
    {
        var own = ExtraArguments.Concat(AgentArguments).Concat(more).ToList();
        var given = own.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ports = new List<string>();
        if (!own.Any(a => a.StartsWith("--Agent:MetadataPort=", StringComparison.OrdinalIgnoreCase)))
        {
            ports.Add($"--Agent:MetadataPort={FreePort()}");
        }

        if (!own.Any(a => a.StartsWith("--Agent:IntrospectionEndpoint=", StringComparison.OrdinalIgnoreCase)))
        {
            ports.Add($"--Agent:IntrospectionEndpoint=127.0.0.1:{FreePort()}");
        }

        if (!given.Contains("--dynamic-port-range"))
        {
            var first = 33_000 + (Interlocked.Increment(ref _portSlices) % 60 * 400);
            ports.AddRange(["--dynamic-port-range", $"{first}-{first + 399}"]);
        }

        return [.. ports];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
