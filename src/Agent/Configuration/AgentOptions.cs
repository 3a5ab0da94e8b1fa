using System.Globalization;
using Orchestrator.Agent.Awsvpc;
using Orchestrator.Agent.Docker;
using Orchestrator.Ecs.Validation;

namespace Orchestrator.Agent.Configuration;

/// <summary>
/// The agent's settings, bound from the configuration section <c>Agent</c> (command line, <c>ORCH_*</c> environment
/// variables, <c>--Agent:Key=value</c>) and checked at start by <see cref="AgentOptionsValidator"/>.
/// </summary>
public sealed class AgentOptions
{
    public const string SectionName = "Agent";

    /// <summary>
    /// The control plane's gRPC address; several control planes (on etcd) comma-separated, tried in turn: the agent moves
    /// on to the next when one is down or refuses (a follower), and resumes its session with the leader.
    /// </summary>
    public string Endpoint { get; set; } = "http://127.0.0.1:7070";

    /// <summary>Each address in <see cref="Endpoint"/>.</summary>
    public IReadOnlyList<string> Endpoints => [.. Endpoint.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>The cluster to join, by name or ARN.</summary>
    public string Cluster { get; set; } = "default";

    /// <summary>The Docker engine's API address (unix:// or tcp://).</summary>
    public string DockerHost { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>Where the agent keeps its state (agent.db).</summary>
    public string DataDir { get; set; } = "/var/lib/orch-agent";

    /// <summary>
    /// The activation a new host joins with (<c>orch activation create</c>): its id. Needed only while the host has no
    /// valid client certificate; it may stay configured afterwards.
    /// </summary>
    public string? ActivationId { get; set; }

    /// <summary>The activation's secret code. Sent once, over TLS to the verified control plane; never logged.</summary>
    public string? ActivationCode { get; set; }

    /// <summary>A PEM file with the cluster CA's certificate (an alternative to <see cref="CaFingerprint"/>).</summary>
    public string? CaFile { get; set; }

    /// <summary>
    /// The cluster CA's fingerprint (<c>sha256:HEX</c>): the agent fetches the CA from the control plane and accepts it
    /// only when it has this fingerprint.
    /// </summary>
    public string? CaFingerprint { get; set; }

    /// <summary>The longest wait between attempts to renew the client certificate after a failure.</summary>
    public TimeSpan CertificateRenewalMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether the endpoint is https:// (TLS with the cluster CA and a client certificate) rather than plaintext.</summary>
    public bool UsesTls => Endpoints is [var first, ..] && Uri.TryCreate(first, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;

    /// <summary>Whether an activation is configured (both its id and its code).</summary>
    public bool HasActivation => !string.IsNullOrWhiteSpace(ActivationId) && !string.IsNullOrWhiteSpace(ActivationCode);

    /// <summary>MiB of the host's memory that is not offered to tasks.</summary>
    public int ReservedMemoryMiB { get; set; }

    /// <summary>Extra reserved TCP ports, comma separated, besides 22, 2375, 2376, 51678 and 51679.</summary>
    public string? ReservedPorts { get; set; }

    /// <summary>Reserved UDP ports, comma separated.</summary>
    public string? ReservedPortsUdp { get; set; }

    /// <summary>
    /// The host ports (<c>first-last</c>) the agent gives bridge port mappings without a host port. Empty: the Docker
    /// host's ephemeral range (<c>ip_local_port_range</c>) when Docker is local, else 49153-65535.
    /// </summary>
    public string? DynamicPortRange { get; set; }

    /// <summary>
    /// Whether a dynamic host port is test-bound (0.0.0.0, from the agent's process) before it is handed out. Turn it
    /// off when Docker publishes ports in another network namespace than the agent's (a remote Docker host).
    /// </summary>
    public bool PortBindCheck { get; set; } = true;

    /// <summary>
    /// The host's interface awsvpc tasks get their addresses on (macvlan, e.g. <c>eth0</c>); empty: the host runs no
    /// awsvpc tasks. Every host a subnet serves must have this interface on that subnet's layer-2 segment.
    /// </summary>
    public string? AwsvpcInterface { get; set; }

    /// <summary>How many awsvpc tasks the host runs at once (like an EC2 instance's ENI limit), with an interface set.</summary>
    public int AwsvpcTaskLimit { get; set; } = 16;

    /// <summary>The Docker network (macvlan on <see cref="AwsvpcInterface"/>) the agent makes for awsvpc tasks.</summary>
    public string AwsvpcNetwork { get; set; } = AwsvpcTask.DefaultNetworkName;

    /// <summary>The pause program awsvpc tasks' pause containers run; default: <c>pause/pause</c> next to the agent.</summary>
    public string? PauseProgram { get; set; }

    /// <summary>Whether the host runs awsvpc tasks.</summary>
    public bool AwsvpcEnabled => !string.IsNullOrWhiteSpace(AwsvpcInterface);

    /// <summary>The pause program's path: <see cref="PauseProgram"/> or the one shipped with the agent.</summary>
    public string EffectivePauseProgram => string.IsNullOrWhiteSpace(PauseProgram) ? PauseImage.DefaultProgramPath : PauseProgram;

    /// <summary>
    /// The host's GPU IDs, comma separated (<c>--gpu</c>, repeatable): registered as they are instead of probing. Empty:
    /// the agent finds them (nvidia-smi, then /dev/nvidia*) unless <see cref="GpuProbe"/> is off.
    /// </summary>
    public string? Gpus { get; set; }

    /// <summary>Whether the agent looks for NVIDIA GPUs when none are configured.</summary>
    public bool GpuProbe { get; set; } = true;

    /// <summary>The IDs of <see cref="Gpus"/>, in order, without repeats.</summary>
    public IReadOnlyList<string> ConfiguredGpus => [.. Split(Gpus).Distinct(StringComparer.Ordinal)];

    /// <summary>Custom attributes: <c>name=value,name2=value2</c>; a name without a value is a capability-style attribute.</summary>
    public string? Attributes { get; set; }

    /// <summary>
    /// When task images are pulled (<see cref="ImagePullBehavior"/>: default, always, once, prefer-cached; the ECS
    /// agent's ECS_IMAGE_PULL_BEHAVIOR). This project's default is prefer-cached (ECS's is <c>default</c>): a host
    /// without a registry, or an air-gapped one, starts cached images without trying one first.
    /// </summary>
    public string ImagePullBehavior { get; set; } = Docker.ImagePullBehavior.PreferCached;

    /// <summary>
    /// Whether the agent removes old images it pulled (ECS_DISABLE_IMAGE_CLEANUP inverted; ORCH_IMAGE_CLEANUP_ENABLED).
    /// Only images this agent pulled or used for a task are ever considered, never one a known task uses or is about to use.
    /// </summary>
    public bool ImageCleanupEnabled { get; set; } = true;

    /// <summary>The wait between two cleanup cycles (ECS_IMAGE_CLEANUP_INTERVAL; ORCH_IMAGE_CLEANUP_INTERVAL).</summary>
    public TimeSpan ImageCleanupInterval { get; set; } = TimeSpan.FromHours(3);

    /// <summary>
    /// How long an image must have gone unused by any task, and been tracked, before it may be removed
    /// (ECS_IMAGE_MINIMUM_CLEANUP_AGE, whose default is 1 h; here 3 h; ORCH_IMAGE_MINIMUM_CLEANUP_AGE).
    /// </summary>
    public TimeSpan ImageMinimumCleanupAge { get; set; } = TimeSpan.FromHours(3);

    /// <summary>At most this many images are removed a cycle (ECS_NUM_IMAGES_DELETE_PER_CYCLE; ORCH_NUM_IMAGES_DELETE_PER_CYCLE).</summary>
    public int NumImagesToDeletePerCycle { get; set; } = 5;

    /// <summary>
    /// The most recently used images of each repository (<c>repo</c> of <c>repo:tag</c>) kept whatever their age, an
    /// image in use counting as the most recent (ORCH_IMAGES_TO_KEEP_PER_REPOSITORY). 0, the default, as ECS: none
    /// beyond those in use; 1 keeps the previous version of each repository for a quick rollback.
    /// </summary>
    public int ImagesToKeepPerRepository { get; set; }

    /// <summary>
    /// Images never removed, comma separated: <c>repo:tag</c> for one, <c>repo</c> for every tag of it
    /// (ECS_EXCLUDE_IMAGES-like; ORCH_IMAGE_CLEANUP_EXCLUSIONS).
    /// </summary>
    public string? ImageCleanupExclusions { get; set; }

    /// <summary>The entries of <see cref="ImageCleanupExclusions"/>.</summary>
    public IReadOnlyList<string> ImageCleanupExclusionList => [.. Split(ImageCleanupExclusions).Distinct(StringComparer.Ordinal)];

    /// <summary>The wait between SIGTERM and SIGKILL for a container whose definition has no stopTimeout.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    public double ReconnectMultiplier { get; set; } = 1.5;

    /// <summary>The fraction by which each reconnect delay is randomly moved up or down.</summary>
    public double ReconnectJitter { get; set; } = 0.2;

    /// <summary>How long the containers of a stopped task are kept before they are removed.</summary>
    public TimeSpan TaskCleanupWait { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How many containers the agent pulls, creates or starts at once. Hundreds of tasks arriving together then reach
    /// Docker a few at a time rather than all at once, which on a small host is both faster and gentler. Stops are never held back.
    /// </summary>
    public int MaxConcurrentStarts { get; set; } = 4;

    /// <summary>
    /// Whether the agent samples its containers' Docker stats (CPU, memory, network, block I/O) for the task metadata
    /// endpoint's <c>/stats</c> and the introspection API's <c>/v1/stats</c>. Off: those answer with empty samples.
    /// </summary>
    public bool StatsEnabled { get; set; } = true;

    /// <summary>The wait between two rounds of stats samples (one one-shot sample per running container a round).</summary>
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>oneshot</c> (default): one sample per container every <see cref="StatsInterval"/>; <c>stream</c>: a Docker stats
    /// stream per running container (a sample a second, as the ECS agent), checked for new and gone containers every interval.
    /// </summary>
    public string StatsMode { get; set; } = "oneshot";

    /// <summary>
    /// The port of the task metadata endpoint (ECS's v4 and v3, <c>ECS_CONTAINER_METADATA_URI_V4</c>), served on
    /// 127.0.0.1 for host-mode containers and on the Docker bridge's gateway for bridge containers; 0: no endpoint,
    /// and containers get no metadata variables.
    /// </summary>
    public int MetadataPort { get; set; } = 51679;

    /// <summary>
    /// Whether the agent redirects 169.254.170.2:80 (ECS's credentials address) to the metadata endpoint with iptables
    /// when the first task with a task role arrives (Linux, as root); off: containers of tasks with a role get
    /// <c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c> but the operator routes that address.
    /// </summary>
    public bool TaskRoleRedirect { get; set; } = true;

    /// <summary>
    /// Where the agent introspection API (ECS's <c>/v1/metadata</c>, <c>/v1/tasks</c>) listens, <c>address:port</c>;
    /// loopback by default, as ECS; empty: not served. It has no authentication: keep it on loopback.
    /// </summary>
    public string? IntrospectionEndpoint { get; set; } = "127.0.0.1:51678";

    /// <summary>How long each kind of Docker call may take (<c>Agent:DockerTimeouts:Create</c> …).</summary>
    public DockerTimeoutOptions DockerTimeouts { get; set; } = new();

    /// <summary>The ports of <see cref="ReservedPorts"/>; call only after validation.</summary>
    public IReadOnlyList<int> ExtraReservedTcpPorts => ParsePorts(ReservedPorts, out var ports, out _) ? ports : [];

    /// <summary>The ports of <see cref="ReservedPortsUdp"/>; call only after validation.</summary>
    public IReadOnlyList<int> ExtraReservedUdpPorts => ParsePorts(ReservedPortsUdp, out var ports, out _) ? ports : [];

    /// <summary>The attributes of <see cref="Attributes"/>; call only after validation.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> CustomAttributes =>
        ParseAttributes(Attributes, out var attributes, out _) ? attributes : [];

    public static bool ParsePorts(string? value, out IReadOnlyList<int> ports, out string? error)
    {
        var result = new List<int>();
        ports = result;
        error = null;
        foreach (var item in Split(value))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                error = $"'{item}' is not a port number (1-65535)";
                return false;
            }

            if (!result.Contains(port))
            {
                result.Add(port);
            }
        }

        return true;
    }

    public static bool ParseAttributes(string? value, out IReadOnlyList<KeyValuePair<string, string?>> attributes, out string? error)
    {
        var result = new List<KeyValuePair<string, string?>>();
        attributes = result;
        error = null;
        foreach (var item in Split(value))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? item : item[..equals].Trim();
            string? attributeValue = equals < 0 ? null : item[(equals + 1)..].Trim();
            if (!AttributeRules.IsValidName(name))
            {
                error = $"'{name}' is not a valid attribute name (1-128 letters, digits, '-', '_', '/', '\\' or '.')";
                return false;
            }

            if (attributeValue is not null && !AttributeRules.IsValidValue(attributeValue))
            {
                error = $"the value of '{name}' is not valid (1-128 letters, digits, '-', '_', '/', '\\', '.', '@', ':' or spaces)";
                return false;
            }

            result.RemoveAll(a => a.Key == name);
            result.Add(new(name, attributeValue));
        }

        return true;
    }

    private static IEnumerable<string> Split(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
