using Orchestrator.ControlPlane.State;

namespace Orchestrator.ControlPlane.Services;

/// <summary>
/// What one pass of the service scheduler decided: the service record after it (deployments, counters, events),
/// the tasks to start and to stop, and which tasks it has now taken into account.
/// </summary>
public sealed record ServicePlan(
    ServiceRecord Service,
    IReadOnlyList<ServiceLaunch> Launches,
    IReadOnlyList<ServiceStop> Stops,
    IReadOnlyList<string> Accounted,
    IReadOnlyList<string> NewlyHealthy,
    IReadOnlyList<string> Events)
{
    public bool StartsOrStops => Launches.Count > 0 || Stops.Count > 0;
}

/// <summary>Start <see cref="Count"/> tasks of a deployment; on <see cref="InstanceArn"/> only, for DAEMON services.</summary>
public sealed record ServiceLaunch(string DeploymentId, string TaskDefinitionArn, int Count, string? InstanceArn = null);

public sealed record ServiceStop(string TaskArn, string Reason);
