using Microsoft.Extensions.Options;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.State;

namespace Orchestrator.ControlPlane;

/// <summary>
/// The state backend the composition uses (<c>--State:Backend</c>): SQLite changes nothing; etcd makes this control
/// plane one of several: a <see cref="StateStore"/> that starts as a follower, the leader election, and the hosted
/// services that write (placement and service scheduling, liveness, schedules, scaling, draining) started only on the
/// leader. Every control plane serves the load balancer's listeners from its own snapshot.
/// </summary>
internal static class ControlPlaneState
{
    /// <summary>The hosted services only the leader runs.</summary>
    private static readonly HashSet<Type> LeaderOnly =
    [
        typeof(AgentLivenessMonitor), typeof(LostInstanceMonitor), typeof(TaskCredentialRotation), typeof(Services.ServiceReconciler),
        typeof(Schedules.ScheduleRunner), typeof(Scaling.AutoScaler), typeof(Capacity.CapacityScaler), typeof(LoadBalancing.DrainMonitor),
    ];

    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StateOptions>().BindConfiguration(StateOptions.Section);
        var state = builder.Configuration.GetSection(StateOptions.Section).Get<StateOptions>() ?? new StateOptions();
        var problems = state.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(StateOptions.Section, typeof(StateOptions), problems);
        }

        if (!state.UsesEtcd)
        {
            return;
        }

        var services = builder.Services;
        services.AddSingleton(_ => new EtcdStateBackend(state.Etcd));
        services.AddSingleton<IStateBackend>(sp => sp.GetRequiredService<EtcdStateBackend>());
        services.AddSingleton(sp =>
        {
            var gate = new LeaderGate();
            gate.Opening += sp.GetRequiredService<AgentSessions>().Restart;
            return gate;
        });
        services.AddSingleton(sp => new StateStore(
            sp.GetRequiredService<EtcdStateBackend>(), sp.GetRequiredService<ILogger<StateStore>>(),
            sp.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.BuildSubnets([]), writer: false));
        services.AddSingleton(sp =>
        {
            var leadership = ActivatorUtilities.CreateInstance<EtcdLeadership>(sp);
            var o = sp.GetRequiredService<IOptions<ControlPlaneOptions>>().Value;
            leadership.Advertise = state.Etcd.Advertise is { Length: > 0 } advertise
                ? advertise
                : $"{(o.Insecure ? "http" : "https")}://{(o.ListenAddress is "0.0.0.0" or "::" or "" ? Environment.MachineName : o.ListenAddress)}:{o.GrpcPort}";
            return leadership;
        });
        services.AddHostedService(sp => sp.GetRequiredService<EtcdLeadership>());
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType == typeof(IHostedService) && descriptor.ImplementationType is { } type && LeaderOnly.Contains(type))
            {
                services[i] = ServiceDescriptor.Singleton<IHostedService>(sp =>
                    new LeaderOnlyService((IHostedService)ActivatorUtilities.CreateInstance(sp, type), sp.GetRequiredService<LeaderGate>()));
            }
        }
    }
}
