namespace Orchestrator.Ecs.Model;

/// <summary>
/// ECS's capacity provider. Here a provider is a group of container instances chosen by a cluster query expression
/// (<see cref="AutoScalingGroupProvider.AutoScalingGroupArn"/>: an expression, or an Auto Scaling group ARN whose
/// group name is matched against the instance attribute <c>orch.capacity-group</c>) instead of an Auto Scaling group.
/// </summary>
public sealed record CapacityProvider
{
    public string CapacityProviderArn { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Cluster { get; init; }
    public string Status { get; init; } = CapacityProviderStatus.Active;
    public AutoScalingGroupProvider? AutoScalingGroupProvider { get; init; }
    public string? UpdateStatus { get; init; }
    public string? UpdateStatusReason { get; init; }
    public IReadOnlyList<Tag>? Tags { get; init; }
    public string Type { get; init; } = "EC2_AUTOSCALING";

}

/// <summary>
/// M/N×100 as ECS defines CapacityProviderReservation (ECS publishes it as a CloudWatch metric, not in
/// DescribeCapacityProviders), with its parts and the instance count managed scaling asks for. Served by the
/// non-ECS operation DescribeCapacityProviderReservations (`orch capacity describe`) and the metric
/// <c>orch.capacity_provider.reservation</c>.
/// </summary>
public sealed record CapacityProviderReservation(
    string ClusterName, double Value, int InstancesNeeded, int Instances, int UnplacedTasks, int DesiredInstances)
{
    public string? CapacityProvider { get; init; }

    /// <summary>On a scale-in, the instances managed scaling would have the hook remove.</summary>
    public IReadOnlyList<string>? RemoveInstances { get; init; }
}

public sealed record CapacityProviderReservationsResponse(IReadOnlyList<CapacityProviderReservation> Reservations);

public sealed record AutoScalingGroupProvider
{
    public string? AutoScalingGroupArn { get; init; }
    public ManagedScaling? ManagedScaling { get; init; }
    public string? ManagedTerminationProtection { get; init; }
    public string? ManagedDraining { get; init; }
}

public sealed record AutoScalingGroupProviderUpdate
{
    public ManagedScaling? ManagedScaling { get; init; }
    public string? ManagedTerminationProtection { get; init; }
    public string? ManagedDraining { get; init; }
}

public sealed record ManagedScaling
{
    public string? Status { get; init; }
    public int? TargetCapacity { get; init; }
    public int? MinimumScalingStepSize { get; init; }
    public int? MaximumScalingStepSize { get; init; }
    public int? InstanceWarmupPeriod { get; init; }
}

public sealed record CapacityProviderStrategyItem
{
    public string? CapacityProvider { get; init; }
    public int? Weight { get; init; }
    public int? Base { get; init; }
}

public static class CapacityProviderStatus
{
    public const string Active = "ACTIVE";
    public const string Inactive = "INACTIVE";
}

public sealed record CreateCapacityProviderRequest
{
    public string? Name { get; init; }
    public string? Cluster { get; init; }
    public AutoScalingGroupProvider? AutoScalingGroupProvider { get; init; }
    public IReadOnlyList<Tag>? Tags { get; init; }
}

public sealed record UpdateCapacityProviderRequest
{
    public string? Name { get; init; }
    public string? Cluster { get; init; }
    public AutoScalingGroupProviderUpdate? AutoScalingGroupProvider { get; init; }
}

public sealed record DeleteCapacityProviderRequest
{
    public string? CapacityProvider { get; init; }
    public string? Cluster { get; init; }
}

public sealed record CapacityProviderResponse(CapacityProvider CapacityProvider);

public sealed record PutClusterCapacityProvidersRequest
{
    public string? Cluster { get; init; }
    public IReadOnlyList<string>? CapacityProviders { get; init; }
    public IReadOnlyList<CapacityProviderStrategyItem>? DefaultCapacityProviderStrategy { get; init; }
}
