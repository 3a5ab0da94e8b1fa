using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.State;

/// <summary>
/// A capacity provider: a group of container instances chosen by the cluster query <see cref="Expression"/>,
/// <see cref="GroupArn"/> being what the caller gave as <c>autoScalingGroupArn</c> (echoed as given). Attached to
/// clusters through <see cref="ClusterRecord.CapacityProviders"/>. Deleted providers are removed from the state.
/// </summary>
public sealed record CapacityProviderRecord
{
    public required string Name { get; init; }
    public required string Arn { get; init; }
    /// <summary>The <c>cluster</c> the request named, if any (echoed; association is PutClusterCapacityProviders').</summary>
    public string? Cluster { get; init; }
    public required string GroupArn { get; init; }
    /// <summary>The cluster query expression that picks the group's instances.</summary>
    public required string Expression { get; init; }
    public required ManagedScaling ManagedScaling { get; init; }
    public string ManagedTerminationProtection { get; init; } = "DISABLED";
    public string ManagedDraining { get; init; } = "ENABLED";
    public string UpdateStatus { get; init; } = "CREATE_COMPLETE";
    public DateTimeOffset CreatedAt { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool ScalingEnabled => ManagedScaling.Status == "ENABLED";
}
