using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.Application;
using Orchestrator.ControlPlane.Discovery;
using Orchestrator.ControlPlane.Grpc;
using Orchestrator.ControlPlane.Http;
using Orchestrator.ControlPlane.Schedules;
using Orchestrator.ControlPlane.Security;
using Orchestrator.ControlPlane.Services;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane;

/// <summary>Builds the control plane's web application: configuration, services, endpoints.</summary>
public static class ControlPlaneApp
{
    /// <summary>Command-line switches and the configuration keys they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--data-dir"] = "ControlPlane:DataDir",
        ["--listen"] = "ControlPlane:ListenAddress",
        ["--grpc-port"] = "ControlPlane:GrpcPort",
        ["--http-port"] = "ControlPlane:HttpPort",
        ["--region"] = "ControlPlane:Region",
        ["--account-id"] = "ControlPlane:AccountId",
        ["--agent-heartbeat-timeout"] = "ControlPlane:AgentHeartbeatTimeout",
        ["--http-listen"] = "ControlPlane:HttpListenAddress",
        ["--instance-lost-grace"] = "ControlPlane:InstanceLostGrace",
        ["--agent-reconnect-allowance"] = "ControlPlane:AgentReconnectAllowance",
        ["--access-keys-file"] = "ControlPlane:AccessKeysFile",
        ["--ca-cert"] = "ControlPlane:CaCertificateFile",
        ["--ca-key"] = "ControlPlane:CaKeyFile",
        ["--agent-certificate-lifetime"] = "ControlPlane:AgentCertificateLifetime",
        ["--secrets-key-file"] = "ControlPlane:SecretsKeyFile",
        ["--metrics-token-file"] = "ControlPlane:MetricsTokenFile",
        ["--dns-port"] = "ControlPlane:DnsPort",
        ["--dns-address"] = "ControlPlane:DnsAddress",
        ["--lb-address"] = "ControlPlane:LoadBalancerAddress",
        ["--scaling-hook"] = "ControlPlane:ScalingHook",
        ["--scaling-hook-url"] = "ControlPlane:ScalingHookUrl",
        ["--scaling-hook-token-file"] = "ControlPlane:ScalingHookTokenFile",
        ["--scaling-interval"] = "ControlPlane:ScalingInterval",
        ["--log-format"] = "Telemetry:LogFormat",
    };

    /// <summary>
    /// Builds and runs the control plane until it is stopped. A configuration the options validators refuse ends it
    /// at once with one line per problem on <paramref name="error"/> and exit code 2, not with an exception trace.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var app = Build(args);
            await using (app.ConfigureAwait(false))
            {
                await app.RunAsync(cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures)
            {
                await error.WriteLineAsync($"controlplane: {failure}").ConfigureAwait(false);
            }

            return 2;
        }
    }

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        args = ExpandArguments(args);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.AddCommandLine(args, Switches.ToDictionary(p => p.Key, p => p.Value));
        builder.Host.UseSystemd();
        // Per-request logs of every agent heartbeat and CLI call drown what matters; ask for them with Logging:LogLevel.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        // Log scopes carry the current trace and span ids (shown by --log-format json, which includes scopes).
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (string.Equals(builder.Configuration["Telemetry:LogFormat"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        ControlPlaneTelemetry.Add(builder);

        builder.Services.AddOptions<ControlPlaneOptions>().BindConfiguration(ControlPlaneOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ControlPlaneOptions>, ControlPlaneOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<ControlPlaneOptions>>().Value is var o ? new Arns(o.Region, o.AccountId) : null!);
        builder.Services.AddSingleton<StateStore>();
        builder.Services.AddSingleton<AgentSessions>();
        builder.Services.AddSingleton<IAgentConnections>(sp => sp.GetRequiredService<AgentSessions>());
        builder.Services.AddSingleton<TaskDispatcher>();
        builder.Services.AddSingleton<ITaskDispatch>(sp => sp.GetRequiredService<TaskDispatcher>());
        builder.Services.AddSingleton<TaskStreamBroker>();
        builder.Services.AddSingleton<ITaskStreams>(sp => sp.GetRequiredService<TaskStreamBroker>());
        builder.Services.AddSingleton<TaskLauncher>();
        builder.Services.AddSingleton<InstanceRegistration>();
        builder.Services.AddSingleton<SessionReports>();
        builder.Services.AddSingleton<TaskLifecycle>();
        builder.Services.AddSingleton<ClusterActions>();
        builder.Services.AddSingleton<TaskDefinitionActions>();
        builder.Services.AddSingleton<TaskActions>();
        builder.Services.AddSingleton<ServiceActions>();
        builder.Services.AddSingleton<ContainerInstanceActions>();
        builder.Services.AddSingleton<PlacementPreview>();
        builder.Services.AddSingleton<AttributeActions>();
        builder.Services.AddSingleton<TagActions>();
        builder.Services.AddSingleton<EcsResources>();
        builder.Services.AddSingleton<EcsActions>();
        builder.Services.AddSingleton<AccessKeyStore>();
        builder.Services.AddSingleton<ActivationStore>();
        builder.Services.AddSingleton<SecretStore>();
        builder.Services.AddSingleton<TaskSecrets>();
        builder.Services.AddSingleton<RoleStore>();
        builder.Services.AddSingleton<TaskCredentialStore>();
        builder.Services.AddSingleton<TaskRoleCredentials>();
        builder.Services.AddHostedService<TaskCredentialRotation>();
        builder.Services.AddSingleton<ClusterPki>();
        builder.Services.AddSingleton<AgentAuthentication>();
        builder.Services.AddSingleton<CallAuthenticator>();
        builder.Services.AddHostedService<SecurityBootstrap>();
        builder.Services.AddSingleton<RequestAuthenticator>();
        builder.Services.AddSingleton<EcsRequestLog>();
        builder.Services.AddSingleton<ConsoleSessions>();
        builder.Services.AddSingleton<ConsoleLog>();
        builder.Services.AddHostedService<AgentLivenessMonitor>();
        builder.Services.AddHostedService<LostInstanceMonitor>();
        builder.Services.AddSingleton<ServiceWorkQueue>();
        builder.Services.AddSingleton<ServiceScheduler>();
        builder.Services.AddHostedService<ServiceReconciler>();
        builder.Services.AddSingleton<ScheduleActions>();
        builder.Services.AddHostedService<ScheduleRunner>();
        builder.Services.AddSingleton<Orchestrator.ControlPlane.Tasks.TaskUsageWindow>();
        builder.Services.AddSingleton<Orchestrator.ControlPlane.Scaling.AutoScalingActions>();
        builder.Services.AddOptions<Orchestrator.ControlPlane.Scaling.AutoScalingOptions>().BindConfiguration(Orchestrator.ControlPlane.Scaling.AutoScalingOptions.Section)
            .Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        builder.Services.AddHostedService<Orchestrator.ControlPlane.Scaling.AutoScaler>();
        builder.Services.AddSingleton<Capacity.ScalingHook>();
        builder.Services.AddHostedService<Capacity.CapacityScaler>();
        builder.Services.AddSingleton<DnsServer>();
        builder.Services.AddSingleton<LoadBalancing.LoadBalancerActions>();
        builder.Services.AddSingleton<LoadBalancing.RequestCounter>();
        builder.Services.AddHostedService<LoadBalancing.LoadBalancerHost>();
        builder.Services.AddHostedService<LoadBalancing.DrainMonitor>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DnsServer>());
        ControlPlaneState.Add(builder);
        builder.Services.AddGrpc(o =>
        {
            o.EnableDetailedErrors = false;
            o.Interceptors.Add<CallAuthenticator>();
            o.Interceptors.Add<LeaderInterceptor>();
        });

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var options = context.Configuration.GetSection(ControlPlaneOptions.Section).Get<ControlPlaneOptions>() ?? new ControlPlaneOptions();
            var address = IPAddress.TryParse(options.ListenAddress, out var parsed) ? parsed : IPAddress.Loopback;
            var httpAddress = IPAddress.TryParse(options.EffectiveHttpListenAddress, out var http) ? http : IPAddress.Loopback;
            kestrel.Listen(address, options.GrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (!options.Insecure)
                {
                    // TLS only: plaintext is refused (and logged) before the handshake; client certificates are
                    // optional here and checked by the agent endpoint, which says why it refuses one.
                    var services = kestrel.ApplicationServices;
                    listen.RefusePlaintext(services.GetRequiredService<ILoggerFactory>());
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificateSelector = (_, _) => services.GetRequiredService<ClusterPki>().ServerCertificate,
                        ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                        ClientCertificateValidation = (_, _, _) => true,
                    });
                }
            });
            kestrel.Listen(httpAddress, options.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
            // Agent sessions are long-lived: keep them alive through idle NATs and notice dead peers.
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(10);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(10);
        });

        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapGrpcService<AgentEndpoint>();
        app.MapGrpcService<ClusterApiService>();
        app.MapGrpcService<AdminService>();
        app.MapEcsApi();
        app.MapSchedulerApi();
        ControlPlaneTelemetry.Map(app, app.Services.GetRequiredService<IOptions<ControlPlaneOptions>>().Value);
        app.MapConsole();
        app.MapDiscovery();
        app.MapGet("/healthz", (StateStore store) => Results.Json(new HealthReport("ok", store.Current.Version), HealthJson.Default.HealthReport));
        // Several control planes on etcd: which one leads (agents and clients find it by themselves; this is for operators).
        app.MapGet("/healthz/role", (StateStore store) => Results.Json(
            new RoleReport(store.IsWriter ? "leader" : "follower", store.LeaderHint(), store.Current.Version), HealthJson.Default.RoleReport));
        return app;
    }

    /// <summary>
    /// Each <c>--subnet SPEC</c> and <c>--tls-san NAME</c> (repeatable) becomes the configuration key
    /// <c>ControlPlane:SubnetSpecs:N</c> or <c>ControlPlane:TlsSans:N</c>; the flag <c>--insecure</c> becomes
    /// <c>ControlPlane:Insecure=true</c>.
    /// </summary>
    internal static string[] ExpandArguments(string[] args)
    {
        var expanded = new List<string>(args.Length);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--insecure")
            {
                expanded.Add($"--{ControlPlaneOptions.Section}:Insecure=true");
                continue;
            }

            var (key, value) = args[i] switch
            {
                "--subnet" when i + 1 < args.Length => ("SubnetSpecs", args[++i]),
                "--tls-san" when i + 1 < args.Length => ("TlsSans", args[++i]),
                var arg when arg.StartsWith("--subnet=", StringComparison.Ordinal) => ("SubnetSpecs", arg["--subnet=".Length..]),
                var arg when arg.StartsWith("--tls-san=", StringComparison.Ordinal) => ("TlsSans", arg["--tls-san=".Length..]),
                _ => ((string?)null, (string?)null),
            };
            if (key is null)
            {
                expanded.Add(args[i]);
                continue;
            }

            var n = counts.GetValueOrDefault(key);
            counts[key] = n + 1;
            expanded.Add($"--{ControlPlaneOptions.Section}:{key}:{n}={value}");
        }

        return [.. expanded];
    }
}

public sealed record HealthReport(string Status, long StateVersion);

public sealed record RoleReport(string Role, string? Leader, long StateVersion);

[System.Text.Json.Serialization.JsonSerializable(typeof(HealthReport))]
[System.Text.Json.Serialization.JsonSerializable(typeof(RoleReport))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext;
