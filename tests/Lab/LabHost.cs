using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Orchestrator.Lab;

/// <summary>
/// One lab host: a network namespace joined to the lab bridge by a veth (eth0 = <see cref="Address"/>), its own
/// containerd and dockerd (data, exec root and sockets under <see cref="Directory"/>, containers under their own
/// cgroup) and its own agent, all started inside the namespace, so cutting the host's link cuts its agent and its
/// containers off exactly as unplugging a machine would. containerd runs apart from dockerd, as Debian's docker.io
/// runs it (containerd.service): killing dockerd leaves containerd and the containers' shims running. Created and
/// torn down by <see cref="LabCluster"/>.
/// </summary>
public sealed partial class LabHost
{
    /// <summary>The attribute each lab agent registers with (value: <see cref="Name"/>), to tell which instance is which host.</summary>
    public const string HostAttribute = "lab.host";

    private static readonly TimeSpan DockerdStartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DockerdStopTimeout = TimeSpan.FromSeconds(30);

    private readonly LabId _id;
    private readonly LabNetwork _network;
    private readonly LabOptions _options;
    private readonly Func<IReadOnlyList<string>> _agentArguments;

    internal LabHost(LabId id, LabNetwork network, int index, LabOptions options, Func<IReadOnlyList<string>> agentArguments)
    {
        _id = id;
        _network = network;
        _options = options;
        _agentArguments = agentArguments;
        Index = index;
        Name = $"h{index}";
        Namespace = new NetworkNamespace(id.Netns(Name));
        Directory = Path.Combine(id.Directory, Name);
        Docker = new DockerClientBuilder().WithEndpoint(DockerHost).WithTimeout(TimeSpan.FromSeconds(60)).Build();
    }

    /// <summary>h1, h2, …</summary>
    public string Name { get; }

    /// <summary>1-based.</summary>
    public int Index { get; }

    /// <summary>The host's address on the lab network (its eth0).</summary>
    public IPAddress Address => _network.HostAddress(Index);

    public NetworkNamespace Namespace { get; }

    /// <summary>The root namespace's end of the host's cable: taking it down partitions the host.</summary>
    public string Veth => _id.Veth(Name);

    public string Directory { get; }

    public string DockerSocket => Path.Combine(Directory, "docker.sock");

    public Uri DockerHost => new("unix://" + DockerSocket);

    /// <summary>A client of this host's dockerd (from the root namespace: the socket is a file).</summary>
    public DockerClient Docker { get; }

    public string AgentDataDir => Path.Combine(Directory, "agent");

    /// <summary>Where a test installs an agent with deploy/install.sh --no-systemd --prefix (its program, settings, pid and log).</summary>
    public string InstallPrefix => Path.Combine(Directory, "opt-orch");

    /// <summary>The pid file of an agent install.sh started under <see cref="InstallPrefix"/>.</summary>
    public string InstalledAgentPidFile => Path.Combine(InstallPrefix, "run", "orch-agent.pid");

    /// <summary>The /28 this host's macvlan networks hand out, distinct from every other host's.</summary>
    public string MacvlanRange => _network.MacvlanRange(Index);

    public ManagedProcess? Containerd { get; private set; }

    public ManagedProcess? Dockerd { get; private set; }

    private string ContainerdSocket => ContainerdSocketIn(Directory);

    public ManagedProcess? Agent { get; private set; }

    public bool IsPartitioned { get; private set; }

    public override string ToString() => $"{Name} ({Address})";

    /// <summary>Where the containerd of the host whose directory is <paramref name="hostDirectory"/> listens.</summary>
    internal static string ContainerdSocketIn(string hostDirectory) => Path.Combine(hostDirectory, "run", "containerd", "containerd.sock");

    /// <summary>
    /// The namespace, its veth pair (eth0 inside with the host's address, default route via the lab gateway unless
    /// <see cref="LabOptions.NoDefaultRoute"/>) and lo.
    /// </summary>
    internal async Task CreateNetworkAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        string[][] steps =
        [
            ["ip", "netns", "add", Namespace.Name],
            ["ip", "link", "add", Veth, "type", "veth", "peer", "name", _id.VethPeer(Name), "netns", Namespace.Name],
            ["ip", "link", "set", Veth, "master", _network.Bridge, "up"],
            ["ip", "-n", Namespace.Name, "link", "set", _id.VethPeer(Name), "name", "eth0"],
            ["ip", "-n", Namespace.Name, "addr", "add", $"{Address}/24", "dev", "eth0"],
            ["ip", "-n", Namespace.Name, "link", "set", "eth0", "up"],
            ["ip", "-n", Namespace.Name, "link", "set", "lo", "up"],
        ];
        if (!_options.NoDefaultRoute)
        {
            steps = [.. steps, ["ip", "-n", Namespace.Name, "route", "add", "default", "via", _network.Gateway.ToString()]];
        }

        foreach (var step in steps)
        {
            (await Commands.RunAsync(step[0], step[1..], TimeSpan.FromSeconds(20))).EnsureSuccess();
        }
    }

    /// <summary>Starts this host's agent inside its namespace, against the lab's control plane; it connects on its own.</summary>
    public void StartAgent()
    {
        if (Agent is { HasExited: false })
        {
            throw new InvalidOperationException($"The agent of {Name} is already running.");
        }

        Agent = Namespace.Start($"agent-{Name}", "dotnet",
        [
            Programs.Agent,
            "--docker-host", DockerHost.ToString(),
            "--data-dir", AgentDataDir,
            "--attribute", $"{HostAttribute}={Name}",
            .. _agentArguments(),
        ]);
    }

    /// <summary>SIGKILL the agent (and one install.sh started): no goodbye to the control plane, as after a crash.</summary>
    public void KillAgent()
    {
        Agent?.KillHard();
        KillInstalledAgent();
    }

    /// <summary>SIGKILL the agent install.sh started in the background (its pid file under <see cref="InstallPrefix"/>), if any.</summary>
    public void KillInstalledAgent()
    {
        try
        {
            if (File.Exists(InstalledAgentPidFile)
                && int.TryParse(File.ReadAllText(InstalledAgentPidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture, out var pid)
                && pid > 1
                && File.Exists($"/proc/{pid}/cmdline")
                && File.ReadAllText($"/proc/{pid}/cmdline").Contains("Agent", StringComparison.Ordinal))
            {
                _ = Native.Kill(pid, Native.SIGKILL);
            }
        }
        catch (IOException)
        {
            // The sweep kills whatever still runs in the host's namespace.
        }
    }

    /// <summary>SIGTERM the agent and wait for it to exit (SIGKILL after the timeout).</summary>
    public async Task StopAgentAsync(TimeSpan? timeout = null)
    {
        if (Agent is not null)
        {
            await Agent.TryStopAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>
    /// Cuts the host off the lab network: its cable (the root-side veth) goes down, so nothing passes either way on
    /// established connections or new ones (to the control plane, other hosts, the root namespace), and nobody is told.
    /// </summary>
    public async Task PartitionAsync()
    {
        (await Commands.RunAsync("ip", ["link", "set", Veth, "down"], TimeSpan.FromSeconds(20))).EnsureSuccess();
        IsPartitioned = true;
    }

    /// <summary>Plugs the cable back in.</summary>
    public async Task HealAsync()
    {
        (await Commands.RunAsync("ip", ["link", "set", Veth, "up"], TimeSpan.FromSeconds(20))).EnsureSuccess();
        IsPartitioned = false;
    }

    /// <summary>Runs a program inside this host's network namespace (the machine's own programs: ip, ss, nc …).</summary>
    public Task<CommandResult> ExecAsync(params string[] command) => Namespace.ExecAsync(command);

    /// <summary>An HttpClient whose connections start from this host (use IP addresses).</summary>
    public HttpClient CreateHttpClient(TimeSpan? timeout = null) => Namespace.CreateHttpClient(timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>GET <paramref name="url"/> from this host and return the body (throws on failure or a non-success status).</summary>
    public async Task<string> HttpGetAsync(Uri url, TimeSpan? timeout = null)
    {
        using var http = CreateHttpClient(timeout);
        return await http.GetStringAsync(url);
    }

    /// <summary>Up to this many containers the teardown removes through Docker; beyond, the sweep does it faster.</summary>
    private const int ContainersRemovedThroughDocker = 20;

    /// <summary>
    /// The first part of the teardown: agent killed, a few containers removed through Docker, dockerd killed. Never
    /// throws. With many containers, removing them one by one (each a runc delete) costs far more than killing the
    /// engine and leaving the processes, cgroups and mounts to the sweep that follows: then the engine goes at once.
    /// </summary>
    internal async Task StopEverythingAsync()
    {
        KillAgent();
        var many = false;
        if (Dockerd is { HasExited: false })
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var containers = await Docker.Containers.ListContainersAsync(new ContainersListParameters { All = true }, timeout.Token);
                many = containers.Count > ContainersRemovedThroughDocker;
                if (!many)
                {
                    await Task.WhenAll(containers.Select(c =>
                        Docker.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, timeout.Token)));
                }
            }
            catch (Exception e) when (e is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
            {
                // The sweep that follows kills whatever is left.
            }

            await StopDockerdAsync(hard: true);
        }

        if (Containerd is not null)
        {
            if (many)
            {
                Containerd.KillHard();
            }
            else
            {
                await Containerd.TryStopAsync(TimeSpan.FromSeconds(10));
            }
        }

        Docker.Dispose();
    }

    /// <summary>For a process-exit handler: no waiting on anyone.</summary>
    internal void KillEverything()
    {
        Agent?.KillHard();
        KillInstalledAgent();
        Dockerd?.KillHard();
        Containerd?.KillHard();
    }

    internal string Diagnostics(int lines) =>
        $"{Agent?.OutputTail(lines)}\n{Dockerd?.OutputTail(lines / 4)}\n{Containerd?.OutputTail(lines / 8)}";
}
