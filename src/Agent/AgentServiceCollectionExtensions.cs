using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.Registration;
using Orchestrator.Agent.Session;
using Orchestrator.Agent.State;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent;

public static class AgentServiceCollectionExtensions
{
    /// <summary>The agent's services: options (validated at start), local state, Docker driver, task engine and session.</summary>
    public static IServiceCollection AddAgent(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AgentOptions>().Bind(configuration.GetSection(AgentOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new AgentStore(Options(sp).DataDir, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IDockerDriver>(sp => new TimeoutDockerDriver(
            new DockerDriver(new Uri(Options(sp).DockerHost), sp.GetRequiredService<ILogger<DockerDriver>>()),
            Options(sp).DockerTimeouts,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => AgentChannel.Create(Options(sp)));
        services.AddSingleton(sp => new AgentService.AgentServiceClient(sp.GetRequiredService<GrpcChannel>()));
        services.AddSingleton(sp => DynamicPortRange.Resolve(Options(sp).DynamicPortRange, Options(sp).DockerHost, ReadFileOrNull));
        services.AddSingleton<IPortProbe>(sp => Options(sp).PortBindCheck ? new SocketPortProbe() : new NoPortProbe());
        services.AddSingleton<IGpuProbe, NvidiaGpuProbe>();
        services.AddSingleton<Registrar>();
        services.AddSingleton<TaskEngine>();
        services.AddHostedService<TaskEngineService>();
        services.AddSingleton<RuntimeHealthMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<RuntimeHealthMonitor>());
        services.AddHostedService<SessionService>();
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
