using Orchestrator.ControlPlane.LoadBalancing;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

public sealed partial class ServiceActions
{
    public const int MaxLoadBalancers = 5;

    /// <summary>
    /// ECS's rules for <c>loadBalancers</c>, against the task definition the service runs: at most five; each a target
    /// group of the built-in balancer (its ARN or name; <c>loadBalancerName</c>, a Classic Load Balancer, is refused),
    /// a containerName and containerPort the task definition maps; no target group twice for the same container port.
    /// Returns the list as stored (targetGroupArn as given).
    /// </summary>
    internal static IReadOnlyList<LoadBalancer> CheckLoadBalancers(IReadOnlyList<LoadBalancer> balancers, TaskDefinition definition, StateSnapshot state)
    {
        if (balancers.Count == 0)
        {
            return [];
        }

        if (balancers.Count > MaxLoadBalancers)
        {
            throw EcsException.InvalidParameter($"A service can be attached to at most {MaxLoadBalancers} target groups.");
        }

        if (definition.EffectiveNetworkMode == NetworkModes.None)
        {
            throw EcsException.InvalidParameter("Load balancers are not supported for tasks with the none network mode.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < balancers.Count; i++)
        {
            var balancer = balancers[i] ?? throw EcsException.InvalidParameter($"loadBalancers[{i}] must be an object.");
            if (balancer.LoadBalancerName is not null)
            {
                throw EcsException.InvalidParameter(
                    $"loadBalancers[{i}].loadBalancerName names a Classic Load Balancer, which this control plane does not have: use targetGroupArn (a target group of `orch lb`).");
            }

            if (balancer.TargetGroupArn is null)
            {
                throw EcsException.InvalidParameter($"loadBalancers[{i}].targetGroupArn is required.");
            }

            var name = LoadBalancerNames.TargetGroupName(balancer.TargetGroupArn);
            var group = name is null ? null : state.TargetGroups.GetValueOrDefault(name);
            if (group is null || (balancer.TargetGroupArn != name && balancer.TargetGroupArn != group.Arn))
            {
                throw EcsException.InvalidParameter($"The target group {EcsText.Cut(balancer.TargetGroupArn)} does not exist.");
            }

            if (balancer.ContainerName is null || balancer.ContainerPort is null)
            {
                throw EcsException.InvalidParameter($"loadBalancers[{i}]: containerName and containerPort are required.");
            }

            var container = definition.ContainerDefinitions.FirstOrDefault(c => c.Name == balancer.ContainerName)
                ?? throw EcsException.InvalidParameter($"The container {EcsText.Cut(balancer.ContainerName)} does not exist in the task definition.");
            if (!(container.PortMappings ?? []).Any(m => m.ContainerPort == balancer.ContainerPort && (m.Protocol ?? "tcp") == "tcp"))
            {
                throw EcsException.InvalidParameter($"The container {EcsText.Cut(balancer.ContainerName)} did not have a container port {balancer.ContainerPort} defined.");
            }

            if (!seen.Add($"{group.Name}/{balancer.ContainerName}/{balancer.ContainerPort}"))
            {
                throw EcsException.InvalidParameter($"loadBalancers names target group {group.Name} for the same container port twice.");
            }
        }

        return balancers;
    }
}
