namespace Orchestrator.Ecs.Model;

/// <summary>
/// ECS's <c>LoadBalancer</c> of a service: which container port of its tasks the control plane's built-in balancer
/// registers in a target group. <see cref="TargetGroupArn"/> is a target group of this control plane (its ARN, or its
/// name); <see cref="LoadBalancerName"/> (Classic Load Balancers) is refused.
/// </summary>
public sealed record LoadBalancer
{
    public string? TargetGroupArn { get; init; }
    public string? LoadBalancerName { get; init; }
    public string? ContainerName { get; init; }
    public int? ContainerPort { get; init; }
}
