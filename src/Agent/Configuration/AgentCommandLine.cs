namespace Orchestrator.Agent.Configuration;

/// <summary>
/// Turns the agent's flags and <c>ORCH_*</c> environment variables into configuration keys of the <c>Agent</c>
/// section. The command line wins over a settings file (<c>--settings-file</c>), which wins over the environment;
/// <c>--Agent:Key=value</c> keys pass through unchanged.
/// </summary>
public static class AgentCommandLine
{
    private const string Section = AgentOptions.SectionName;

    /// <summary>
    /// The flag naming a file of <c>ORCH_*=value</c> lines (the <see cref="EnvironmentVariables"/>; blank lines and
    /// <c>#</c> comments allowed): how the Windows service gets its settings (deploy/windows/install.ps1 writes the
    /// file, readable by SYSTEM and Administrators only), so that no secret is on its command line.
    /// </summary>
    public const string SettingsFileFlag = "settings-file";

    /// <summary>Flag (without dashes) → configuration key.</summary>
    public static IReadOnlyDictionary<string, string> Flags { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["endpoint"] = $"{Section}:{nameof(AgentOptions.Endpoint)}",
        ["cluster"] = $"{Section}:{nameof(AgentOptions.Cluster)}",
        ["docker-host"] = $"{Section}:{nameof(AgentOptions.DockerHost)}",
        ["data-dir"] = $"{Section}:{nameof(AgentOptions.DataDir)}",
        ["reserved-memory"] = $"{Section}:{nameof(AgentOptions.ReservedMemoryMiB)}",
        ["reserved-ports"] = $"{Section}:{nameof(AgentOptions.ReservedPorts)}",
        ["reserved-ports-udp"] = $"{Section}:{nameof(AgentOptions.ReservedPortsUdp)}",
        ["dynamic-port-range"] = $"{Section}:{nameof(AgentOptions.DynamicPortRange)}",
        ["awsvpc-interface"] = $"{Section}:{nameof(AgentOptions.AwsvpcInterface)}",
        ["awsvpc-task-limit"] = $"{Section}:{nameof(AgentOptions.AwsvpcTaskLimit)}",
        ["activation-id"] = $"{Section}:{nameof(AgentOptions.ActivationId)}",
        ["activation-code"] = $"{Section}:{nameof(AgentOptions.ActivationCode)}",
        ["ca-file"] = $"{Section}:{nameof(AgentOptions.CaFile)}",
        ["ca-fingerprint"] = $"{Section}:{nameof(AgentOptions.CaFingerprint)}",
    };

    /// <summary>Repeatable flags → configuration key, whose value is every occurrence's, comma separated.</summary>
    public static IReadOnlyDictionary<string, string> RepeatableFlags { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["attribute"] = $"{Section}:{nameof(AgentOptions.Attributes)}",
        ["gpu"] = $"{Section}:{nameof(AgentOptions.Gpus)}",
    };

    /// <summary>Environment variable → configuration key.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ORCH_ENDPOINT"] = $"{Section}:{nameof(AgentOptions.Endpoint)}",
        ["ORCH_CLUSTER"] = $"{Section}:{nameof(AgentOptions.Cluster)}",
        ["ORCH_DOCKER_HOST"] = $"{Section}:{nameof(AgentOptions.DockerHost)}",
        ["ORCH_DATA_DIR"] = $"{Section}:{nameof(AgentOptions.DataDir)}",
        ["ORCH_ATTRIBUTES"] = $"{Section}:{nameof(AgentOptions.Attributes)}",
        ["ORCH_RESERVED_MEMORY"] = $"{Section}:{nameof(AgentOptions.ReservedMemoryMiB)}",
        ["ORCH_RESERVED_PORTS"] = $"{Section}:{nameof(AgentOptions.ReservedPorts)}",
        ["ORCH_RESERVED_PORTS_UDP"] = $"{Section}:{nameof(AgentOptions.ReservedPortsUdp)}",
        ["ORCH_DYNAMIC_PORT_RANGE"] = $"{Section}:{nameof(AgentOptions.DynamicPortRange)}",
        ["ORCH_AWSVPC_INTERFACE"] = $"{Section}:{nameof(AgentOptions.AwsvpcInterface)}",
        ["ORCH_GPUS"] = $"{Section}:{nameof(AgentOptions.Gpus)}",
        ["ORCH_ACTIVATION_ID"] = $"{Section}:{nameof(AgentOptions.ActivationId)}",
        ["ORCH_ACTIVATION_CODE"] = $"{Section}:{nameof(AgentOptions.ActivationCode)}",
        ["ORCH_CA_FILE"] = $"{Section}:{nameof(AgentOptions.CaFile)}",
        ["ORCH_CA_FINGERPRINT"] = $"{Section}:{nameof(AgentOptions.CaFingerprint)}",
        ["ORCH_IMAGE_PULL_BEHAVIOR"] = $"{Section}:{nameof(AgentOptions.ImagePullBehavior)}",
        ["ORCH_IMAGE_PULL_TIMEOUT"] = $"{Section}:{nameof(AgentOptions.DockerTimeouts)}:{nameof(Docker.DockerTimeoutOptions.Pull)}",
        ["ORCH_IMAGE_CLEANUP_ENABLED"] = $"{Section}:{nameof(AgentOptions.ImageCleanupEnabled)}",
        ["ORCH_IMAGE_CLEANUP_INTERVAL"] = $"{Section}:{nameof(AgentOptions.ImageCleanupInterval)}",
        ["ORCH_IMAGE_MINIMUM_CLEANUP_AGE"] = $"{Section}:{nameof(AgentOptions.ImageMinimumCleanupAge)}",
        ["ORCH_NUM_IMAGES_DELETE_PER_CYCLE"] = $"{Section}:{nameof(AgentOptions.NumImagesToDeletePerCycle)}",
        ["ORCH_IMAGES_TO_KEEP_PER_REPOSITORY"] = $"{Section}:{nameof(AgentOptions.ImagesToKeepPerRepository)}",
        ["ORCH_IMAGE_CLEANUP_EXCLUSIONS"] = $"{Section}:{nameof(AgentOptions.ImageCleanupExclusions)}",
    };

    public const string Usage = """
        Usage: agent [options]

          --deregister           deregister this host's container instance (with its client certificate) and exit
          --settings-file PATH   ORCH_*=value lines (the variables below), e.g. the Windows service's agent.env;
                                 they win over the environment, flags win over them
          --endpoint URL         control plane gRPC address (ORCH_ENDPOINT; default http://127.0.0.1:7070); https://
                                 for a secure control plane (TLS with the cluster CA, a client certificate per host)
          --activation-id ID     the activation a new host joins with, from orch activation create (ORCH_ACTIVATION_ID)
          --activation-code CODE its secret code (ORCH_ACTIVATION_CODE); needed until the host has a certificate
          --ca-file PATH         the cluster CA's certificate, PEM (ORCH_CA_FILE)
          --ca-fingerprint sha256:HEX  or the CA's fingerprint: the agent fetches the CA and checks it
                                 (ORCH_CA_FINGERPRINT; orch activation create prints it). Both are kept in
                                 DATA-DIR/pki with the host's key and certificate, which it renews by itself
          --cluster NAME         cluster to join (ORCH_CLUSTER; default "default")
          --docker-host URI      Docker engine address (ORCH_DOCKER_HOST; default unix:///var/run/docker.sock)
          --data-dir DIR         state directory (ORCH_DATA_DIR; default /var/lib/orch-agent)
          --attribute NAME=VALUE custom attribute, repeatable (ORCH_ATTRIBUTES=name=value,name2=value2)
          --reserved-memory MIB  memory kept from tasks (ORCH_RESERVED_MEMORY)
          --reserved-ports LIST  extra reserved TCP ports (ORCH_RESERVED_PORTS)
          --reserved-ports-udp LIST  reserved UDP ports (ORCH_RESERVED_PORTS_UDP)
          --dynamic-port-range FIRST-LAST  host ports for hostPort 0 (ORCH_DYNAMIC_PORT_RANGE; default the
                                 Docker host's ip_local_port_range, else 49153-65535)
          --awsvpc-interface IF  run awsvpc tasks, each with its own address (from the control plane's subnets) on a
                                 macvlan of this interface, e.g. eth0 (ORCH_AWSVPC_INTERFACE; default: none)
          --awsvpc-task-limit N  awsvpc tasks at once on this host (default 16)
          --gpu ID               a GPU the host offers, repeatable (ORCH_GPUS=id,id2); default: found with nvidia-smi -L
                                 or /dev/nvidia*, unless --Agent:GpuProbe=false
          ORCH_IMAGE_PULL_BEHAVIOR  default (pull, else use the cached image), always, once or prefer-cached
                                 (pull only when not cached; the default), as ECS_IMAGE_PULL_BEHAVIOR
          ORCH_IMAGE_PULL_TIMEOUT   how long a pull may take (default 02:00:00; --Agent:DockerTimeouts:Pull)
          ORCH_IMAGE_CLEANUP_ENABLED  remove old images this agent pulled (default true; ECS_DISABLE_IMAGE_CLEANUP)
          ORCH_IMAGE_CLEANUP_INTERVAL  between cleanup cycles (default 03:00:00)
          ORCH_IMAGE_MINIMUM_CLEANUP_AGE  unused at least this long before removal (default 03:00:00)
          ORCH_NUM_IMAGES_DELETE_PER_CYCLE  at most this many removed a cycle (default 5)
          ORCH_IMAGES_TO_KEEP_PER_REPOSITORY  most recent images kept per repository (default 0)
          ORCH_IMAGE_CLEANUP_EXCLUSIONS  images never removed, comma separated (repo:tag, or repo for all tags)
          --Agent:KEY=VALUE      any other setting, e.g. --Agent:StopTimeout=00:00:10 or
                                 --Agent:DockerTimeouts:Create=00:04:00 (Pull, Create, Start, StopBuffer, Inspect,
                                 Remove, List, Load: how long each Docker call may take)
        """;

    /// <summary>
    /// The configuration values given by the environment and the command line, in increasing precedence, and the
    /// arguments that are left for the host's own command-line source (<c>--Agent:Key=value</c> and the like).
    /// </summary>
    public static (IReadOnlyList<KeyValuePair<string, string?>> Values, IReadOnlyList<string> Remaining) Parse(
        IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        // One value per key, the later source (the command line) replacing the earlier (the environment).
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in EnvironmentVariables)
        {
            var value = environment(variable);
            if (!string.IsNullOrEmpty(value))
            {
                values[key] = value;
            }
        }

        if (SettingsFile(args) is { } settingsFile)
        {
            foreach (var (key, value) in ReadSettingsFile(settingsFile))
            {
                values[key] = value;
            }
        }

        var remaining = new List<string>();
        var repeated = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                remaining.Add(arg);
                continue;
            }

            var body = arg[2..];
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            var flag = equals < 0 ? body : body[..equals];
            if (string.Equals(flag, SettingsFileFlag, StringComparison.OrdinalIgnoreCase))
            {
                i += equals < 0 ? 1 : 0; // read above
                continue;
            }

            var list = RepeatableFlags.GetValueOrDefault(flag);
            if (list is null && !Flags.ContainsKey(flag))
            {
                remaining.Add(arg);
                continue;
            }

            string value;
            if (equals >= 0)
            {
                value = body[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw new ArgumentException($"The option --{flag} needs a value.");
            }

            if (list is not null)
            {
                if (!repeated.TryGetValue(list, out var occurrences))
                {
                    repeated[list] = occurrences = [];
                }

                occurrences.Add(value);
            }
            else
            {
                values[Flags[flag]] = value;
            }
        }

        foreach (var (key, given) in repeated)
        {
            values[key] = string.Join(',', given);
        }

        return ([.. values], remaining);
    }

    /// <summary>
    /// The first of the arguments <see cref="Parse"/> left over that is not a <c>--Section:Key[=value]</c> setting
    /// (with its value): an unknown flag or a stray word, refused rather than ignored; null when all are settings.
    /// </summary>
    public static string? FirstUnknown(IReadOnlyList<string> remaining)
    {
        ArgumentNullException.ThrowIfNull(remaining);
        for (var i = 0; i < remaining.Count; i++)
        {
            var arg = remaining[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            if (!name.StartsWith("--", StringComparison.Ordinal) || !name.Contains(':', StringComparison.Ordinal))
            {
                return arg;
            }

            if (equals < 0 && ++i >= remaining.Count)
            {
                return arg; // a setting without its value
            }
        }

        return null;
    }

    /// <summary>The <c>--settings-file</c> value, if the flag is given (the last one wins).</summary>
    private static string? SettingsFile(IReadOnlyList<string> args)
    {
        string? path = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (string.Equals(args[i], "--" + SettingsFileFlag, StringComparison.OrdinalIgnoreCase))
            {
                path = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"The option --{SettingsFileFlag} needs a value.");
            }
            else if (args[i].StartsWith($"--{SettingsFileFlag}=", StringComparison.OrdinalIgnoreCase))
            {
                path = args[i][(SettingsFileFlag.Length + 3)..];
            }
        }

        return path;
    }

    /// <summary>The configuration values of a settings file; a line that is not a known <c>ORCH_*=value</c> is refused, naming its line.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ReadSettingsFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"The settings file {path} cannot be read ({e.Message}).", e);
        }

        var values = new List<KeyValuePair<string, string>>();
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            // The message names the setting only, never the line: it may hold a secret.
            if (equals < 0)
            {
                throw new ArgumentException($"The settings file {path}, line {n + 1}: not NAME=value.");
            }

            var name = line[..equals].Trim();
            if (!EnvironmentVariables.TryGetValue(name, out var key))
            {
                throw new ArgumentException($"The settings file {path}, line {n + 1}: '{name}' is not one of the agent's settings ({string.Join(", ", EnvironmentVariables.Keys)}).");
            }

            var value = line[(equals + 1)..];
            if (value.Length > 0)
            {
                values.Add(new(key, value));
            }
        }

        return values;
    }
}
