using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Introspection;
using Orchestrator.Agent.Metadata;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.Registration;
using Orchestrator.Agent.Security;
using Orchestrator.Agent.Session;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Stats;
using Orchestrator.Agent.Telemetry;

namespace Orchestrator.Agent;

public static class AgentServiceCollectionExtensions
{
    /// <summary>
    /// The agent's services: options (validated at start), local state, Docker driver, task engine, session, and over
    /// https the cluster trust, the client certificate and its renewal.
    /// </summary>
    public static IServiceCollection AddAgent(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAgentTelemetry(configuration);
        services.AddOptions<AgentOptions>().Bind(configuration.GetSection(AgentOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new AgentStore(Options(sp).DataDir, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IDockerDriver>(sp => new TimeoutDockerDriver(
            new DockerDriver(new Uri(Options(sp).DockerHost), sp.GetRequiredService<ILogger<DockerDriver>>(), sp.GetRequiredService<AgentMetrics>()),
            Options(sp).DockerTimeouts,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<AgentMetrics>()));
        services.AddSingleton<IContainerStreams>(sp => new DockerStreams(new Uri(Options(sp).DockerHost)));
        services.AddSingleton<AttachService>();
        services.AddSingleton(sp => new AgentCredentials(new PkiFiles(Options(sp).DataDir), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ClusterTrust>();
        services.AddSingleton(sp => new ControlPlaneConnection(
            sp.GetRequiredService<IOptions<AgentOptions>>(), sp.GetRequiredService<AgentCredentials>(), sp.GetRequiredService<ILogger<ControlPlaneConnection>>()));
        services.AddSingleton(sp => new AgentExit(sp.GetService<IHostApplicationLifetime>()));
        services.AddSingleton(sp => DynamicPortRange.Resolve(Options(sp).DynamicPortRange, Options(sp).DockerHost, ReadFileOrNull));
        services.AddSingleton<IPortProbe>(sp => Options(sp).PortBindCheck ? new SocketPortProbe() : new NoPortProbe());
        services.AddSingleton<IGpuProbe, NvidiaGpuProbe>();
        services.AddSingleton<Registrar>();
        services.AddSingleton(sp => MetadataTokens.LoadOrCreate(Options(sp).DataDir));
        services.AddSingleton<KnownTasks>();
        services.AddSingleton<TaskRoleCredentials>();
        services.AddSingleton<CredentialsRedirect>();
        services.AddSingleton<ContainerMetadata>();
        services.AddSingleton<StatsSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<StatsSampler>());
        // Before the engine: containers get the metadata URIs only once the endpoint listens.
        services.AddHostedService<MetadataServer>();
        services.AddHostedService<IntrospectionServer>();
        services.AddSingleton(sp => new ImageTracker(sp.GetRequiredService<TimeProvider>(), Options(sp).DataDir));
        services.AddSingleton(sp => new TaskNotes(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<AgentStore>().Changes.Fire));
        services.AddSingleton(sp => new PulledImages(Options(sp).DataDir));
        services.AddSingleton<TaskEngine>();
        services.AddHostedService<ImageCleanupService>();
        services.AddHostedService<TaskEngineService>();
        services.AddSingleton<RuntimeHealthMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<RuntimeHealthMonitor>());
        services.AddHostedService<SessionService>();
        services.AddHostedService<CertificateRenewalService>();
        return services;
    }

    private static string? ReadFileOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static AgentOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<AgentOptions>>().Value;
}
