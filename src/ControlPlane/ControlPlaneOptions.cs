using System.Net;
using Microsoft.Extensions.Options;
using Orchestrator.ControlPlane.Networking;

namespace Orchestrator.ControlPlane;

/// <summary>Settings of the control plane, bound from the "ControlPlane" configuration section.</summary>
public sealed class ControlPlaneOptions
{
    public const string Section = "ControlPlane";

    /// <summary>Where the state database (state.db) lives.</summary>
    public string DataDir { get; set; } = "/var/lib/orch-controlplane";

    /// <summary>The address both ports listen on; 0.0.0.0 to accept agents from other hosts.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>gRPC (HTTP/2 over TLS; plaintext with <see cref="Insecure"/>): the agent sessions, the CLI's cluster and admin APIs.</summary>
    public int GrpcPort { get; set; } = 7070;

    /// <summary>HTTP/1.1: health and the ECS-compatible API (AWS JSON 1.1).</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>The address the HTTP port listens on; the same as <see cref="ListenAddress"/> when unset.</summary>
    public string? HttpListenAddress { get; set; }

    /// <summary>
    /// The loopback development mode (<c>--insecure</c>): gRPC in plaintext with no authentication (agents join without
    /// activation, the cluster API takes unsigned calls), no admin key. Only when every port listens on loopback.
    /// </summary>
    public bool Insecure { get; set; }

    /// <summary>The operator's CA (PEM certificate and key files) instead of the one created in <c>DATA_DIR/pki</c>.</summary>
    public string? CaCertificateFile { get; set; }

    public string? CaKeyFile { get; set; }

    /// <summary>More names (DNS names or IP addresses, comma-separated) for the gRPC port's server certificate.</summary>
    public List<string> TlsSans { get; set; } = [];

    /// <summary>How long an agent's client certificate is valid; agents renew it when a third of that is left.</summary>
    public TimeSpan AgentCertificateLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Operators' access keys (SigV4 for the ECS API, signed gRPC calls for orch), besides the admin key and those
    /// made with <c>orch access-key create</c>. In the insecure mode, none at all means unsigned ECS API calls (on loopback only).
    /// </summary>
    public List<Security.AccessKey> AccessKeys { get; set; } = [];

    /// <summary>A file of <c>ACCESS_KEY_ID SECRET_ACCESS_KEY</c> lines, added to <see cref="AccessKeys"/>.</summary>
    public string? AccessKeysFile { get; set; }

    /// <summary>
    /// The key that encrypts the secret store (32 bytes, base64 or raw); <c>DATA_DIR/secrets.key</c>, created on first
    /// use, when unset.
    /// </summary>
    public string? SecretsKeyFile { get; set; }

    /// <summary>How far a signed request's X-Amz-Date may be from the control plane's clock (AWS: 15 minutes).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// A file holding the bearer token Prometheus must send to scrape <c>/metrics</c> from another host; without it,
    /// <c>/metrics</c> answers loopback callers only.
    /// </summary>
    public string? MetricsTokenFile { get; set; }

    /// <summary>
    /// The UDP and TCP port of the service-discovery DNS server (zone <c>orch.local</c>); null (the default) runs none.
    /// 0 lets the OS choose (tests).
    /// </summary>
    public int? DnsPort { get; set; }

    /// <summary>Capacity providers' managed scaling: the command run with the desired instance count (README "Capacity providers").</summary>
    public string? ScalingHook { get; set; }

    /// <summary>Managed scaling's webhook: POSTed the desired instance count as JSON.</summary>
    public string? ScalingHookUrl { get; set; }

    /// <summary>A file holding the bearer token sent to the scaling webhook.</summary>
    public string? ScalingHookTokenFile { get; set; }

    /// <summary>How often managed scaling looks at the providers' reservations (ECS: every minute).</summary>
    public TimeSpan ScalingInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one call of the scaling hook may take.</summary>
    public TimeSpan ScalingHookTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The address the DNS server listens on: loopback unless the operator names another.</summary>
    public string DnsAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The address the built-in load balancer's listeners bind (<c>--lb-address</c>, e.g. 127.0.0.1, or 0.0.0.0 to take
    /// traffic from other hosts); null (the default) runs no balancer. Target groups and listeners can be defined either way.
    /// </summary>
    public string? LoadBalancerAddress { get; set; }

    public string EffectiveHttpListenAddress => string.IsNullOrEmpty(HttpListenAddress) ? ListenAddress : HttpListenAddress;

    public string Region { get; set; } = "us-east-1";

    public string AccountId { get; set; } = "000000000000";

    /// <summary>
    /// How long the keys a task role's task gets are valid (ECS: an hour or more). They are replaced when half of this
    /// is left, so a task always holds keys with at least half the lifetime to run. At least 10 seconds (tests).
    /// </summary>
    public TimeSpan TaskCredentialLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An agent that sends nothing (heartbeats included) for this long is marked disconnected.</summary>
    public TimeSpan AgentHeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An instance whose agent has been disconnected this long is lost: its service tasks are replaced elsewhere.
    /// With the heartbeat timeout this bounds how long a dead host's services run short: 5 s + 1 s, so that noticing a
    /// lost host and running its service tasks elsewhere takes under 10 s. A short blip never gets this far: an agent
    /// that reconnects within the heartbeat timeout was never disconnected.
    /// </summary>
    public TimeSpan InstanceLostGrace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After the control plane starts, how long agents get to reconnect before any instance can count as lost.</summary>
    public TimeSpan AgentReconnectAllowance { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The subnets awsvpc tasks take their addresses from (configuration files, environment).</summary>
    public List<SubnetOptions> Subnets { get; set; } = [];

    /// <summary>The same as one string each, as <c>--subnet</c> gives them (see <see cref="SubnetOptions.ParseSpec"/>).</summary>
    public List<string> SubnetSpecs { get; set; } = [];

    /// <summary>The checked subnets of <see cref="Subnets"/> and <see cref="SubnetSpecs"/>; a problem goes to <paramref name="errors"/>.</summary>
    public IReadOnlyList<Subnet> BuildSubnets(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var configured = new List<(string, SubnetOptions)>();
        for (var i = 0; i < Subnets.Count; i++)
        {
            configured.Add(($"{Section}:Subnets:{i}", Subnets[i]));
        }

        for (var i = 0; i < SubnetSpecs.Count; i++)
        {
            var key = $"--subnet '{SubnetSpecs[i]}'";
            var parsed = SubnetOptions.ParseSpec(SubnetSpecs[i], out var error);
            if (error is not null)
            {
                errors.Add($"{key}: {error}.");
                continue;
            }

            configured.Add((key, parsed));
        }

        return SubnetOptions.Build(configured, errors);
    }
}

internal sealed class ControlPlaneOptionsValidator : IValidateOptions<ControlPlaneOptions>
{
    public ValidateOptionsResult Validate(string? name, ControlPlaneOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            errors.Add("ControlPlane:DataDir (--data-dir) must name a directory.");
        }

        if (!IPAddress.TryParse(options.ListenAddress, out _))
        {
            errors.Add($"ControlPlane:ListenAddress (--listen) must be an IP address, not '{options.ListenAddress}'.");
        }

        if (!IPAddress.TryParse(options.EffectiveHttpListenAddress, out _))
        {
            errors.Add($"ControlPlane:HttpListenAddress (--http-listen) must be an IP address, not '{options.EffectiveHttpListenAddress}'.");
        }

        if (options.LoadBalancerAddress is { Length: > 0 } lb && !IPAddress.TryParse(lb, out _))
        {
            errors.Add($"ControlPlane:LoadBalancerAddress (--lb-address) must be an IP address, not '{lb}'.");
        }

        if (options.DnsPort is < 0 or > 65535 || !IPAddress.TryParse(options.DnsAddress, out _))
        {
            errors.Add($"ControlPlane:DnsPort (--dns-port) must be 0 to 65535 and ControlPlane:DnsAddress (--dns-address) an IP address, not '{options.DnsAddress}'.");
        }

        var keyCount = CountAccessKeys(options, errors);
        if (options.Insecure && IPAddress.TryParse(options.ListenAddress, out var grpcListen) && !IPAddress.IsLoopback(grpcListen))
        {
            errors.Add($"ControlPlane:Insecure (--insecure: plaintext gRPC without authentication) is for loopback only, not --listen {grpcListen}. " +
                "Leave it out: agents then join with activations over mutual TLS.");
        }

        if ((options.CaCertificateFile is { Length: > 0 }) != (options.CaKeyFile is { Length: > 0 }))
        {
            errors.Add("ControlPlane:CaCertificateFile (--ca-cert) and ControlPlane:CaKeyFile (--ca-key) go together.");
        }
        else if (options.CaCertificateFile is { Length: > 0 } caCert && (!File.Exists(caCert) || !File.Exists(options.CaKeyFile)))
        {
            errors.Add($"ControlPlane:CaCertificateFile (--ca-cert) {caCert} or ControlPlane:CaKeyFile (--ca-key) {options.CaKeyFile} does not exist.");
        }

        if (options.SecretsKeyFile is { Length: > 0 } secretsKey && !File.Exists(secretsKey))
        {
            errors.Add($"ControlPlane:SecretsKeyFile (--secrets-key-file) {secretsKey} does not exist.");
        }

        if (options.AgentCertificateLifetime < TimeSpan.FromSeconds(10) || options.AgentCertificateLifetime > TimeSpan.FromDays(365))
        {
            errors.Add("ControlPlane:AgentCertificateLifetime (--agent-certificate-lifetime) must be between 10 seconds and 365 days.");
        }

        if (options.Insecure && IPAddress.TryParse(options.EffectiveHttpListenAddress, out var listen) && !IPAddress.IsLoopback(listen) && keyCount == 0)
        {
            errors.Add($"The ECS API would listen on {listen} without access keys: anyone who can reach it could run containers. " +
                "Give at least one key (ControlPlane:AccessKeysFile, --access-keys-file) or listen on loopback (--http-listen 127.0.0.1).");
        }

        foreach (var (key, port) in new[] { ("GrpcPort (--grpc-port)", options.GrpcPort), ("HttpPort (--http-port)", options.HttpPort) })
        {
            if (port is < 0 or > 65535)
            {
                errors.Add($"ControlPlane:{key} must be between 0 and 65535, not {port}.");
            }
        }

        if (options.GrpcPort == options.HttpPort && options.GrpcPort != 0)
        {
            errors.Add("ControlPlane:GrpcPort and ControlPlane:HttpPort must differ.");
        }

        if (string.IsNullOrWhiteSpace(options.Region) || options.Region.Contains(':', StringComparison.Ordinal))
        {
            errors.Add("ControlPlane:Region (--region) must be a region name such as us-east-1.");
        }

        if (options.TaskCredentialLifetime < TimeSpan.FromSeconds(10) || options.TaskCredentialLifetime > TimeSpan.FromHours(12))
        {
            errors.Add("ControlPlane:TaskCredentialLifetime must be between 10 seconds and 12 hours.");
        }

        if (options.AccountId.Length != 12 || !options.AccountId.All(char.IsAsciiDigit))
        {
            errors.Add("ControlPlane:AccountId (--account-id) must be 12 digits.");
        }

        if (options.AgentHeartbeatTimeout <= TimeSpan.Zero)
        {
            errors.Add("ControlPlane:AgentHeartbeatTimeout must be positive.");
        }

        if (options.InstanceLostGrace < TimeSpan.Zero || options.AgentReconnectAllowance < TimeSpan.Zero)
        {
            errors.Add("ControlPlane:InstanceLostGrace and ControlPlane:AgentReconnectAllowance must not be negative.");
        }

        options.BuildSubnets(errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// The access keys configured and in the keys file. A keys file that names none (empty, or only comments) is an
    /// error: it would leave the ECS API open while the operator believes it is closed. Messages never carry a secret.
    /// </summary>
    private static int CountAccessKeys(ControlPlaneOptions options, List<string> errors)
    {
        var count = 0;
        foreach (var key in options.AccessKeys)
        {
            if (string.IsNullOrWhiteSpace(key.AccessKeyId) || string.IsNullOrWhiteSpace(key.SecretAccessKey))
            {
                errors.Add("ControlPlane:AccessKeys: each key needs an AccessKeyId and a SecretAccessKey.");
                continue;
            }

            count++;
        }

        if (options.AccessKeysFile is not { Length: > 0 } file)
        {
            return count;
        }

        if (!File.Exists(file))
        {
            errors.Add($"ControlPlane:AccessKeysFile (--access-keys-file) names {file}, which does not exist.");
            return count;
        }

        try
        {
            var inFile = Security.AccessKeyStore.ReadFile(file).Count();
            if (inFile == 0)
            {
                errors.Add($"ControlPlane:AccessKeysFile (--access-keys-file) {file} holds no access key: expected 'ACCESS_KEY_ID SECRET_ACCESS_KEY' lines.");
            }

            return count + inFile;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            errors.Add($"ControlPlane:AccessKeysFile (--access-keys-file): {e.Message}");
            return count;
        }
    }
}
