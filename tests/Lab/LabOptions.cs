namespace Orchestrator.Lab;

/// <summary>What a <see cref="LabCluster"/> is made of. The defaults give two hosts, ready for the smoke and chaos tests.</summary>
public sealed record LabOptions
{
    /// <summary>How many hosts (at most <see cref="LabNetwork.MaxHosts"/>).</summary>
    public int Hosts { get; init; } = 2;

    /// <summary>The control plane's <c>--agent-heartbeat-timeout</c>: short, so a partition is noticed quickly.</summary>
    public TimeSpan AgentHeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The agents' heartbeat interval (<c>--Agent:HeartbeatInterval</c>). It must stay well under
    /// <see cref="AgentHeartbeatTimeout"/>: with the agent's default of 5 s and a 5 s timeout, healthy sessions are
    /// closed as silent every few seconds. The product's defaults keep a ratio of 3 (5 s and 15 s), the lab's 5.
    /// </summary>
    public TimeSpan AgentHeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Images copied from the root Docker engine into every host's dockerd (no registry is reachable from the lab).</summary>
    public IReadOnlyList<string> Images { get; init; } = ["local/busybox:1"];

    /// <summary>The Docker engine the images are copied from.</summary>
    public Uri SourceDockerHost { get; init; } = new("unix:///var/run/docker.sock");

    /// <summary>Extra agent arguments, e.g. <c>--Agent:ReconnectMaxDelay=00:00:05</c>.</summary>
    public IReadOnlyList<string> AgentArguments { get; init; } = [];

    /// <summary>Extra control plane arguments.</summary>
    public IReadOnlyList<string> ControlPlaneArguments { get; init; } = [];

    /// <summary>
    /// Control plane arguments that depend on the lab's network, known only once it exists (e.g. a <c>--subnet</c>
    /// for awsvpc tasks on the lab's wire).
    /// </summary>
    public Func<LabNetwork, IEnumerable<string>>? ControlPlaneNetworkArguments { get; init; }

    /// <summary>Extra dockerd arguments for every host, e.g. <c>--live-restore</c>.</summary>
    public IReadOnlyList<string> DockerdArguments { get; init; } = [];

    /// <summary>
    /// Whether the lab starts each host's agent and waits for it (the default). False leaves the hosts without an
    /// agent, for a test that installs one itself (deploy/install.sh, under <see cref="LabHost.InstallPrefix"/>).
    /// </summary>
    public bool StartAgents { get; init; } = true;

    /// <summary>
    /// Hosts without a default route: they reach the lab network (the control plane on <see cref="LabNetwork.Gateway"/>,
    /// each other) and nothing else, as an offline site would; any other address is "network unreachable" at once.
    /// </summary>
    public bool NoDefaultRoute { get; init; }

    /// <summary>How long the lab may take to come up (hosts' dockerd, images, agents connected).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(120);
}
