using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Lab;

/// <summary>
/// A cluster of several hosts on this one machine: the real control plane in the root namespace, listening on the
/// lab bridge (<see cref="LabNetwork.Gateway"/>), and N <see cref="LabHost"/>s, each a network namespace with its own
/// containerd, dockerd and agent, driven through the real <c>orch</c> CLI. <see cref="DisposeAsync"/> removes everything (also
/// when the test failed); a lab whose test process died is removed by the next lab that starts (<see cref="LabSweeper"/>).
/// </summary>
/// <example>
/// <code>
/// await using var lab = await LabCluster.StartAsync(new LabOptions { Hosts = 2 });
/// await lab.OrchAsync("taskdef", "register", "--file", Programs.Example("httpd.json"));
/// var task = Assert.Single((await lab.OrchJsonAsync&lt;TasksResponse&gt;("task", "run", "--cluster", lab.ClusterName, "--task-definition", "httpd", "--wait")).Tasks);
/// var host = await lab.HostOfAsync(task);
/// await host.PartitionAsync();
/// await lab.WaitForAgentAsync(host, connected: false, TimeSpan.FromSeconds(20));
/// </code>
/// </example>
public sealed partial class LabCluster : IAsyncDisposable
{
    /// <summary>Between two `orch` calls that wait for something: each starts a .NET process, and this machine may have two cores.</summary>
    private static readonly TimeSpan CliPollInterval = TimeSpan.FromMilliseconds(500);

    private readonly LabOptions _options;
    private readonly List<LabHost> _hosts = [];
    private readonly ManualResetEventSlim _tornDown = new();
    private int _disposed;

    private LabCluster(LabOptions options)
    {
        _options = options;
        Cli = new OrchCli(() => Endpoint, () => File.Exists(AdminConfig) ? AdminConfig : null);
    }

    public LabId Id { get; private set; } = LabId.New();

    public LabNetwork Network { get; private set; } = null!;

    public IReadOnlyList<LabHost> Hosts => _hosts;

    public string ClusterName => "lab-" + Id.Value;

    public int GrpcPort { get; private set; }

    public int HttpPort { get; private set; }

    /// <summary>The control plane's gRPC address, as agents and the CLI use it.</summary>
    public string Endpoint => $"https://{Network.Gateway}:{GrpcPort}";

    public string ControlPlaneDataDir => Path.Combine(Id.Directory, "controlplane");

    /// <summary>The orch configuration the control plane wrote on its first start: endpoint, CA and admin key.</summary>
    public string AdminConfig => Path.Combine(ControlPlaneDataDir, "orch-admin.json");

    /// <summary>The agents' arguments for joining: an activation made with orch once the control plane is up.</summary>
    public IReadOnlyList<string> JoinArguments { get; private set; } = [];

    public ManagedProcess? ControlPlane { get; private set; }

    public OrchCli Cli { get; }

    /// <summary>How long <see cref="StartAsync"/> took, from nothing to every agent connected.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>How long <see cref="DisposeAsync"/> took.</summary>
    public TimeSpan TeardownTime { get; private set; }

    /// <summary>What <see cref="DisposeAsync"/> could not remove (empty, normally).</summary>
    public IReadOnlyList<LabResource> Leftovers { get; private set; } = [];

    public LabHost this[string name] => _hosts.Single(h => h.Name == name);

    /// <summary>Builds the lab: network, control plane, cluster, hosts (dockerd, images, agent), and waits until every agent is connected.</summary>
    public static async Task<LabCluster> StartAsync(LabOptions? options = null)
    {
        options ??= new LabOptions();
        LabPreconditions.Check(options);
        var lab = new LabCluster(options);
        var started = Stopwatch.StartNew();
        try
        {
            using var timeout = new CancellationTokenSource(options.StartTimeout);
            await lab.StartCoreAsync().WaitAsync(timeout.Token);
        }
        catch (Exception e)
        {
            var diagnostics = lab.Diagnostics();
            await lab.DisposeAsync();
            throw new InvalidOperationException($"The lab did not come up: {e.Message}\n{diagnostics}", e);
        }

        lab.StartupTime = started.Elapsed;
        Report($"lab {lab.Id}: {options.Hosts} host{(options.Hosts == 1 ? "" : "s")} on {lab.Network.Subnet} up in {lab.StartupTime.TotalSeconds:0.0} s");
        return lab;
    }

    /// <summary>Starts the control plane (again, after <see cref="KillControlPlane"/>) on the same ports and data, and waits until it is healthy.</summary>
    public async Task StartControlPlaneAsync()
    {
        ControlPlane = ManagedProcess.Start("controlplane", Programs.ControlPlane,
        [
            "--data-dir", ControlPlaneDataDir,
            "--listen", Network.Gateway.ToString(),
            "--grpc-port", GrpcPort.ToString(CultureInfo.InvariantCulture),
            "--http-port", HttpPort.ToString(CultureInfo.InvariantCulture),
            // Agents reach gRPC (TLS, activation, client certificates) on the lab bridge; the ECS HTTP API stays on loopback.
            "--http-listen", "127.0.0.1",
            "--agent-heartbeat-timeout", _options.AgentHeartbeatTimeout.ToString("c", CultureInfo.InvariantCulture),
            .. _options.ControlPlaneArguments,
            .. _options.ControlPlaneNetworkArguments?.Invoke(Network) ?? [],
        ]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Async(async () =>
        {
            Assert.False(ControlPlane.HasExited, "The control plane exited:\n" + ControlPlane.OutputTail(50));
            var health = await http.GetStringAsync(new Uri($"http://127.0.0.1:{HttpPort}/healthz"));
            Assert.Contains("ok", health, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(120), Diagnostics);
    }

    /// <summary>SIGKILL the control plane: no graceful shutdown.</summary>
    public void KillControlPlane() => ControlPlane?.KillHard();

    /// <summary>Starts the host's agent again (after <see cref="LabHost.KillAgent"/>) and waits until it is connected.</summary>
    public async Task StartAgentAsync(LabHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        host.StartAgent();
        await WaitForAgentAsync(host, connected: true, TimeSpan.FromSeconds(60));
    }

    /// <summary>Runs <c>orch …</c> against this lab's control plane.</summary>
    public Task<CommandResult> OrchAsync(params string[] arguments) => Cli.RunAsync(arguments);

    /// <summary>Runs <c>orch … --output json</c> and parses what it printed.</summary>
    public Task<JsonElement> OrchJsonAsync(params string[] arguments) => Cli.JsonAsync(arguments);

    public Task<T> OrchJsonAsync<T>(params string[] arguments) => Cli.JsonAsync<T>(arguments);

    /// <summary>The cluster's container instances (<c>orch instance list</c>).</summary>
    public async Task<IReadOnlyList<ContainerInstance>> InstancesAsync() =>
        (await OrchJsonAsync<DescribeContainerInstancesResponse>("instance", "list", "--cluster", ClusterName)).ContainerInstances;

    /// <summary>The container instance the host's agent registered (found by its <see cref="LabHost.HostAttribute"/>).</summary>
    public async Task<ContainerInstance> InstanceAsync(LabHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var instances = await InstancesAsync();
        return instances.SingleOrDefault(i => HostNameOf(i) == host.Name)
            ?? throw new Xunit.Sdk.XunitException($"No container instance of {host} among {instances.Count}.");
    }

    /// <summary>The lab host an instance runs on.</summary>
    public LabHost HostOf(ContainerInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var name = HostNameOf(instance) ?? throw new InvalidOperationException($"{instance.ContainerInstanceArn} carries no {LabHost.HostAttribute} attribute.");
        return this[name];
    }

    /// <summary>The lab host a task was placed on.</summary>
    public async Task<LabHost> HostOfAsync(EcsTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var instance = (await InstancesAsync()).Single(i => i.ContainerInstanceArn == task.ContainerInstanceArn);
        return HostOf(instance);
    }

    /// <summary>Waits until the control plane shows the host's agent as connected (or not).</summary>
    public async Task WaitForAgentAsync(LabHost host, bool connected, TimeSpan within)
    {
        ArgumentNullException.ThrowIfNull(host);
        await Eventually.Async(async () =>
        {
            var instance = await InstanceAsync(host);
            Assert.True(instance.AgentConnected == connected, $"{host}: agentConnected is {instance.AgentConnected}, waiting for {connected}");
        }, within, Diagnostics, CliPollInterval);
    }

    /// <summary>The last lines of every process of the lab, for a failure message.</summary>
    public string Diagnostics() =>
        $"{ControlPlane?.OutputTail(200)}\n{string.Join('\n', _hosts.Select(h => h.Diagnostics(200)))}";

    /// <summary>
    /// Kills agents and control plane, removes the hosts' containers, stops their dockerd, then sweeps whatever is
    /// left of the lab (processes, mounts, namespaces, links, iptables rules, cgroups, directory). Never throws: what
    /// could not be removed is in <see cref="Leftovers"/> and the test output.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        var hostsStopped = TimeSpan.Zero;
        foreach (var host in _hosts)
        {
            host.KillAgent();
        }

        try
        {
            KillControlPlane();
            await Task.WhenAll(_hosts.Select(h => h.StopEverythingAsync()));
            hostsStopped = stopwatch.Elapsed;
            Leftovers = await Task.Run(() => LabSweeper.Sweep(Id));
            LabRegistry.Remove(this);
        }
        finally
        {
            _tornDown.Set();
        }

        TeardownTime = stopwatch.Elapsed;
        Report($"lab {Id}: torn down in {TeardownTime.TotalSeconds:0.0} s (hosts stopped {hostsStopped.TotalSeconds:0.0} s, sweep {(TeardownTime - hostsStopped).TotalSeconds:0.0} s)"
            + (Leftovers.Count == 0 ? "" : $"; left behind:\n  {string.Join("\n  ", Leftovers)}"));
    }

    /// <summary>
    /// The teardown for a signal or process-exit handler: kill, then sweep; no graceful steps. When a test's
    /// <see cref="DisposeAsync"/> is already under way, waits (bounded) for it to finish rather than letting the process end mid-sweep.
    /// </summary>
    internal void TearDownNow()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            _tornDown.Wait(TimeSpan.FromSeconds(60));
            return;
        }

        try
        {
            foreach (var host in _hosts)
            {
                host.KillEverything();
            }

            KillControlPlane();
            LabSweeper.Sweep(Id);
        }
        finally
        {
            _tornDown.Set();
        }
    }

    private static string? HostNameOf(ContainerInstance instance) =>
        instance.Attributes.FirstOrDefault(a => a.Name == LabHost.HostAttribute)?.Value;

    private static void Report(string message)
    {
        var context = TestContext.Current;
        if (context.TestOutputHelper is { } output)
        {
            output.WriteLine(message);
        }
        else
        {
            context.SendDiagnosticMessage(message);
        }
    }
}
