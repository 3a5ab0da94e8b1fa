using System.Text.RegularExpressions;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// Which container instances make up a capacity provider. ECS's <c>autoScalingGroupArn</c> names an Auto Scaling
/// group; here it names a group of registered instances, in one of two forms:
/// <list type="bullet">
/// <item>an Auto Scaling group ARN (<c>arn:aws:autoscaling:REGION:ACCOUNT:autoScalingGroup:ID:autoScalingGroupName/NAME</c>,
/// what Terraform's ARN check wants): the instances whose attribute <c>orch.capacity-group</c> is NAME;</item>
/// <item>anything else is a cluster query expression, as memberOf placement constraints and ListContainerInstances'
/// filter take (e.g. <c>attribute:pool == big</c>).</item>
/// </list>
/// </summary>
public static partial class CapacityGroups
{
    public const string GroupAttribute = "orch.capacity-group";

    /// <summary>The cluster query expression of an <c>autoScalingGroupArn</c> value; InvalidParameterException when it is neither form.</summary>
    public static string ExpressionOf(string? groupArn)
    {
        if (string.IsNullOrWhiteSpace(groupArn))
        {
            throw EcsException.InvalidParameter("autoScalingGroupProvider.autoScalingGroupArn is required.");
        }

        if (groupArn.Length > PlacementValidation.MaxExpressionLength)
        {
            throw EcsException.InvalidParameter($"autoScalingGroupArn can be at most {PlacementValidation.MaxExpressionLength} characters.");
        }

        string expression;
        if (groupArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            var match = GroupArnPattern().Match(groupArn);
            if (!match.Success)
            {
                throw EcsException.InvalidParameter(
                    "autoScalingGroupArn must be an Auto Scaling group ARN ending in autoScalingGroupName/NAME (the instances whose attribute " +
                    $"{GroupAttribute} is NAME) or a cluster query expression.");
            }

            expression = $"attribute:{GroupAttribute} == {match.Groups["name"].Value}";
        }
        else
        {
            expression = groupArn.Trim();
        }

        try
        {
            _ = MemberOfConstraint.Parse(expression);
        }
        catch (EcsException e)
        {
            throw EcsException.InvalidParameter($"autoScalingGroupArn is not a valid cluster query expression: {e.Message}");
        }

        return expression;
    }

    /// <summary>The placement constraint that keeps a provider's tasks on its instances.</summary>
    public static MemberOfConstraint Constraint(CapacityProviderRecord provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return MemberOfConstraint.Parse(provider.Expression);
    }

    /// <summary>The provider's instances in the cluster: registered (not INACTIVE) and matching its expression.</summary>
    public static IReadOnlyList<InstanceRecord> Members(StateSnapshot state, string clusterName, CapacityProviderRecord provider)
    {
        ArgumentNullException.ThrowIfNull(state);
        var constraint = Constraint(provider);
        return [.. state.InstancesIn(clusterName)
            .Where(i => i.Status != ContainerInstanceStatus.Inactive)
            .Where(i => constraint.Matches(ClusterSnapshot.Of(state, i, agentConnected: true)))];
    }

    [GeneratedRegex("^arn:aws[a-z-]*:autoscaling:[^:]*:[^:]*:autoScalingGroup:[^:]*:autoScalingGroupName/(?<name>[A-Za-z0-9._-]{1,255})$")]
    private static partial Regex GroupArnPattern();
}
