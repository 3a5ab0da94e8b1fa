using Microsoft.Extensions.Options;
using Orchestrator.Agent.Ports;

namespace Orchestrator.Agent.Configuration;

/// <summary>Checks <see cref="AgentOptions"/> at start; every message names the setting and how to set it.</summary>
public sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        var endpoints = options.Endpoints;
        if (endpoints.Count == 0 || endpoints.Any(e => !Uri.TryCreate(e, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            || endpoints.Select(e => e.StartsWith("https:", StringComparison.OrdinalIgnoreCase)).Distinct().Count() > 1)
        {
            failures.Add($"{Key(nameof(AgentOptions.Endpoint))} (--endpoint, ORCH_ENDPOINT) must be an absolute http:// or https:// URL (several, comma-separated, all http or all https), not '{options.Endpoint}'.");
        }

        ValidateSecurity(failures, options);

        if (!IsValidCluster(options.Cluster))
        {
            failures.Add($"{Key(nameof(AgentOptions.Cluster))} (--cluster, ORCH_CLUSTER) must be a cluster name (1-255 letters, digits, hyphens or underscores) or a cluster ARN, not '{options.Cluster}'.");
        }

        if (!Uri.TryCreate(options.DockerHost, UriKind.Absolute, out var docker) || docker.Scheme is not ("unix" or "tcp" or "http" or "https" or "npipe"))
        {
            failures.Add($"{Key(nameof(AgentOptions.DockerHost))} (--docker-host, ORCH_DOCKER_HOST) must be a unix://, tcp:// or npipe:// URI, not '{options.DockerHost}'.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            failures.Add($"{Key(nameof(AgentOptions.DataDir))} (--data-dir, ORCH_DATA_DIR) must be a directory path.");
        }

        if (options.ReservedMemoryMiB < 0)
        {
            failures.Add($"{Key(nameof(AgentOptions.ReservedMemoryMiB))} must be 0 or more MiB, not {options.ReservedMemoryMiB}.");
        }

        if (!AgentOptions.ParsePorts(options.ReservedPorts, out _, out var tcpError))
        {
            failures.Add($"{Key(nameof(AgentOptions.ReservedPorts))} must be a comma-separated list of ports: {tcpError}.");
        }

        if (!AgentOptions.ParsePorts(options.ReservedPortsUdp, out _, out var udpError))
        {
            failures.Add($"{Key(nameof(AgentOptions.ReservedPortsUdp))} must be a comma-separated list of ports: {udpError}.");
        }

        if (!string.IsNullOrWhiteSpace(options.DynamicPortRange) && !DynamicPortRange.TryParse(options.DynamicPortRange, out _))
        {
            failures.Add($"{Key(nameof(AgentOptions.DynamicPortRange))} (--dynamic-port-range, ORCH_DYNAMIC_PORT_RANGE) must be a port range first-last within 1-65535, not '{options.DynamicPortRange}'.");
        }

        if (!AgentOptions.ParseAttributes(options.Attributes, out _, out var attributeError))
        {
            failures.Add($"{Key(nameof(AgentOptions.Attributes))} (--attribute, ORCH_ATTRIBUTES) must be name=value pairs separated by commas: {attributeError}.");
        }

        if (options.ConfiguredGpus.FirstOrDefault(id => !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':' or '.')) is { } gpu)
        {
            failures.Add($"{Key(nameof(AgentOptions.Gpus))} (--gpu, ORCH_GPUS) must be GPU IDs (letters, digits, '-', '_', ':', '.') separated by commas, not '{gpu}'.");
        }

        if (options.AwsvpcEnabled)
        {
            var parent = options.AwsvpcInterface!;
            if (parent.Length > 15 || parent.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)))
            {
                failures.Add($"{Key(nameof(AgentOptions.AwsvpcInterface))} (--awsvpc-interface, ORCH_AWSVPC_INTERFACE) must be a network interface name such as eth0, not '{parent}'.");
            }

            if (string.IsNullOrWhiteSpace(options.AwsvpcNetwork) || !options.AwsvpcNetwork.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                failures.Add($"{Key(nameof(AgentOptions.AwsvpcNetwork))} must be a Docker network name (letters, digits, '-', '_', '.'), not '{options.AwsvpcNetwork}'.");
            }

            if (options.AwsvpcTaskLimit is < 1 or > 1024)
            {
                failures.Add($"{Key(nameof(AgentOptions.AwsvpcTaskLimit))} (--awsvpc-task-limit) must be between 1 and 1024, not {options.AwsvpcTaskLimit}.");
            }

            if (!File.Exists(options.EffectivePauseProgram))
            {
                failures.Add($"{Key(nameof(AgentOptions.PauseProgram))}: awsvpc tasks need the pause program, and {options.EffectivePauseProgram} does not exist. " +
                    "The agent's build makes it from src/Agent/Pause/pause.c with gcc (Debian: apt-get install gcc libc6-dev), or name one.");
            }
        }

        if (!Docker.ImagePullBehavior.IsValid(options.ImagePullBehavior))
        {
            failures.Add($"{Key(nameof(AgentOptions.ImagePullBehavior))} (ORCH_IMAGE_PULL_BEHAVIOR) must be one of {string.Join(", ", Docker.ImagePullBehavior.All)}, not '{options.ImagePullBehavior}'.");
        }

        Positive(failures, nameof(AgentOptions.StopTimeout), options.StopTimeout);
        Positive(failures, nameof(AgentOptions.ImageCleanupInterval), options.ImageCleanupInterval);
        if (options.ImageMinimumCleanupAge < TimeSpan.Zero)
        {
            failures.Add($"{Key(nameof(AgentOptions.ImageMinimumCleanupAge))} (ORCH_IMAGE_MINIMUM_CLEANUP_AGE) must not be negative, not {options.ImageMinimumCleanupAge}.");
        }

        if (options.NumImagesToDeletePerCycle is < 1 or > 1000)
        {
            failures.Add($"{Key(nameof(AgentOptions.NumImagesToDeletePerCycle))} (ORCH_NUM_IMAGES_DELETE_PER_CYCLE) must be between 1 and 1000, not {options.NumImagesToDeletePerCycle}.");
        }

        if (options.ImagesToKeepPerRepository is < 0 or > 1000)
        {
            failures.Add($"{Key(nameof(AgentOptions.ImagesToKeepPerRepository))} (ORCH_IMAGES_TO_KEEP_PER_REPOSITORY) must be between 0 and 1000, not {options.ImagesToKeepPerRepository}.");
        }

        if (options.ImageCleanupExclusionList.FirstOrDefault(i => i.Any(char.IsWhiteSpace)) is { } exclusion)
        {
            failures.Add($"{Key(nameof(AgentOptions.ImageCleanupExclusions))} (ORCH_IMAGE_CLEANUP_EXCLUSIONS) must be image names separated by commas, not '{exclusion}'.");
        }

        Positive(failures, nameof(AgentOptions.HeartbeatInterval), options.HeartbeatInterval);
        Positive(failures, nameof(AgentOptions.ReconnectInitialDelay), options.ReconnectInitialDelay);
        Positive(failures, nameof(AgentOptions.TaskCleanupWait), options.TaskCleanupWait);
        foreach (var (setting, value) in options.DockerTimeouts.All())
        {
            Positive(failures, $"{nameof(AgentOptions.DockerTimeouts)}:{setting}", value);
        }

        if (options.MaxConcurrentStarts < 1)
        {
            failures.Add($"{Key(nameof(AgentOptions.MaxConcurrentStarts))} must be at least 1, not {options.MaxConcurrentStarts}.");
        }

        Positive(failures, nameof(AgentOptions.StatsInterval), options.StatsInterval);
        if (options.StatsMode is not ("oneshot" or "stream"))
        {
            failures.Add($"{Key(nameof(AgentOptions.StatsMode))} must be oneshot or stream, not '{options.StatsMode}'.");
        }

        if (options.MetadataPort is < 0 or > 65535)
        {
            failures.Add($"{Key(nameof(AgentOptions.MetadataPort))} must be a port (1-65535) or 0 for none, not {options.MetadataPort}.");
        }

        if (!string.IsNullOrWhiteSpace(options.IntrospectionEndpoint) && !System.Net.IPEndPoint.TryParse(options.IntrospectionEndpoint, out _))
        {
            failures.Add($"{Key(nameof(AgentOptions.IntrospectionEndpoint))} must be address:port (127.0.0.1:51678) or empty for none, not '{options.IntrospectionEndpoint}'.");
        }

        if (options.ReconnectMaxDelay < options.ReconnectInitialDelay)
        {
            failures.Add($"{Key(nameof(AgentOptions.ReconnectMaxDelay))} must be at least {Key(nameof(AgentOptions.ReconnectInitialDelay))} ({options.ReconnectInitialDelay}), not {options.ReconnectMaxDelay}.");
        }

        if (!(options.ReconnectMultiplier >= 1.0 && options.ReconnectMultiplier <= 10.0))
        {
            failures.Add($"{Key(nameof(AgentOptions.ReconnectMultiplier))} must be between 1 and 10, not {options.ReconnectMultiplier}.");
        }

        if (!(options.ReconnectJitter >= 0.0 && options.ReconnectJitter < 1.0))
        {
            failures.Add($"{Key(nameof(AgentOptions.ReconnectJitter))} must be at least 0 and less than 1, not {options.ReconnectJitter}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// An https endpoint needs a CA to trust (stored, a file or a fingerprint to check the fetched one against) and,
    /// until the host has a certificate, an activation. An http endpoint needs neither (loopback development).
    /// </summary>
    private static void ValidateSecurity(List<string> failures, AgentOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.CaFingerprint) && !IsFingerprint(options.CaFingerprint))
        {
            failures.Add($"{Key(nameof(AgentOptions.CaFingerprint))} (--ca-fingerprint, ORCH_CA_FINGERPRINT) must be sha256: and 64 hex digits, as orch activation create prints it, not '{options.CaFingerprint}'.");
        }

        if (!string.IsNullOrWhiteSpace(options.CaFile) && !File.Exists(options.CaFile))
        {
            failures.Add($"{Key(nameof(AgentOptions.CaFile))} (--ca-file, ORCH_CA_FILE): {options.CaFile} does not exist.");
        }

        if (string.IsNullOrWhiteSpace(options.ActivationId) != string.IsNullOrWhiteSpace(options.ActivationCode))
        {
            failures.Add($"An activation needs both its id and its code: give --activation-id and --activation-code (ORCH_ACTIVATION_ID, ORCH_ACTIVATION_CODE) together.");
        }

        if (!options.UsesTls || string.IsNullOrWhiteSpace(options.DataDir))
        {
            return;
        }

        var files = new State.PkiFiles(options.DataDir);
        if (!File.Exists(files.CaPath) && string.IsNullOrWhiteSpace(options.CaFile) && string.IsNullOrWhiteSpace(options.CaFingerprint))
        {
            failures.Add($"{Key(nameof(AgentOptions.Endpoint))} is https:// and the agent has no stored CA ({files.CaPath}): name the control plane's CA with --ca-file or --ca-fingerprint (orch activation create prints it).");
        }

        if (!File.Exists(files.CertificatePath) && !options.HasActivation)
        {
            failures.Add($"This host has no client certificate yet ({files.CertificatePath}): join the cluster with --activation-id and --activation-code (orch activation create prints them).");
        }
    }

    private static bool IsFingerprint(string value)
    {
        var hex = value.Trim().Replace(":", "", StringComparison.Ordinal);
        if (hex.StartsWith("sha256", StringComparison.OrdinalIgnoreCase))
        {
            hex = hex["sha256".Length..];
        }

        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit);
    }

    private static string Key(string property) => $"{AgentOptions.SectionName}:{property}";

    private static void Positive(List<string> failures, string property, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Key(property)} must be a positive duration (e.g. 00:00:30), not {value}.");
        }
    }

    private static bool IsValidCluster(string? cluster) =>
        !string.IsNullOrEmpty(cluster)
        && (cluster.StartsWith("arn:", StringComparison.Ordinal)
            || (cluster.Length <= 255 && cluster.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')));
}
