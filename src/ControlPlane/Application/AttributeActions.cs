using System.Text.RegularExpressions;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using Orchestrator.Ecs.Validation;
using static Orchestrator.ControlPlane.Application.RequestChecks;
using static Orchestrator.ControlPlane.Application.ResourceReferences;
using Attribute = Orchestrator.Ecs.Model.Attribute;

namespace Orchestrator.ControlPlane.Application;

/// <summary>ECS's custom attributes of container instances: PutAttributes, DeleteAttributes and ListAttributes.</summary>
public sealed partial class AttributeActions(StateStore store, Arns arns)
{
    public const int MaxCustomAttributes = 10;
    private const string ContainerInstanceTarget = "container-instance";

    public Task<AttributesResponse> PutAttributesAsync(PutAttributesRequest request, CancellationToken cancellationToken)
    {
        var attributes = CheckAttributeBatch(request.Attributes, requireValue: false);
        return store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(arns, tx.State, request.Cluster);
            var stored = new List<Attribute>();
            foreach (var attribute in attributes)
            {
                var instance = AttributeTarget(tx.State, cluster, attribute);
                var custom = instance.CustomAttributes.Where(a => a.Name != attribute.Name).Append(Plain(attribute)).ToList();
                if (custom.Count > MaxCustomAttributes)
                {
                    throw new EcsException("AttributeLimitExceededException",
                        $"A container instance can have at most {MaxCustomAttributes} custom attributes.");
                }

                tx.Put(instance with { CustomAttributes = custom, Version = instance.Version + 1 });
                stored.Add(attribute with { TargetId = instance.Arn, TargetType = ContainerInstanceTarget });
            }

            return new AttributesResponse(stored);
        }, cancellationToken);
    }

    public Task<AttributesResponse> DeleteAttributesAsync(DeleteAttributesRequest request, CancellationToken cancellationToken)
    {
        var attributes = CheckAttributeBatch(request.Attributes, requireValue: false);
        return store.WriteAsync(tx =>
        {
            var cluster = ActiveCluster(arns, tx.State, request.Cluster);
            var deleted = new List<Attribute>();
            foreach (var attribute in attributes)
            {
                var instance = AttributeTarget(tx.State, cluster, attribute);
                if (instance.CustomAttributes.All(a => a.Name != attribute.Name))
                {
                    throw EcsException.InvalidParameter(instance.Attributes.Any(a => a.Name == attribute.Name)
                        ? $"Attribute {EcsText.Cut(attribute.Name)} is reported by the container instance's agent; change the agent's configuration to remove it."
                        : $"The container instance has no attribute named {EcsText.Cut(attribute.Name)}.");
                }

                tx.Put(instance with { CustomAttributes = instance.CustomAttributes.Where(a => a.Name != attribute.Name).ToList(), Version = instance.Version + 1 });
                deleted.Add(attribute with { TargetId = instance.Arn, TargetType = ContainerInstanceTarget });
            }

            return new AttributesResponse(deleted);
        }, cancellationToken);
    }

    public Task<ListAttributesResponse> ListAttributesAsync(ListAttributesRequest request, CancellationToken cancellationToken)
    {
        CheckMaxResults(request.MaxResults);
        if (request.TargetType != ContainerInstanceTarget)
        {
            throw EcsException.InvalidParameter("targetType must be container-instance.");
        }

        if (request.AttributeValue is not null && request.AttributeName is null)
        {
            throw EcsException.InvalidParameter("attributeValue can only be given with attributeName.");
        }

        var state = store.Current;
        var cluster = ActiveCluster(arns, state, request.Cluster);
        var entries = state.InstancesIn(cluster.Name)
            .Where(i => i.Status != ContainerInstanceStatus.Inactive)
            .SelectMany(i => i.EffectiveAttributes.OrderBy(a => a.Name, StringComparer.Ordinal)
                .Select(a => a with { TargetId = i.Arn, TargetType = ContainerInstanceTarget }))
            .Where(a => (request.AttributeName is null || a.Name == request.AttributeName) &&
                        (request.AttributeValue is null || a.Value == request.AttributeValue));
        var (page, next) = Paging.Page(entries, a => $"{a.TargetId}\u0000{a.Name}", request.NextToken, request.MaxResults);
        return Task.FromResult(new ListAttributesResponse(page, next));
    }

    private static IReadOnlyList<Attribute> CheckAttributeBatch(IReadOnlyList<Attribute>? attributes, bool requireValue)
    {
        if (attributes is null || attributes.Count is 0 or > 10)
        {
            throw EcsException.InvalidParameter("attributes must hold between 1 and 10 attributes.");
        }

        foreach (var attribute in attributes)
        {
            if (string.IsNullOrEmpty(attribute.Name) || !AttributeRules.IsValidName(attribute.Name))
            {
                throw EcsException.InvalidParameter(
                    $"Invalid attribute name '{attribute.Name}': 1 to 128 letters, numbers, hyphens, underscores, slashes, back slashes or periods.");
            }

            if (attribute.Value is not null && !AttributeRules.IsValidValue(attribute.Value) || requireValue && attribute.Value is null)
            {
                throw EcsException.InvalidParameter(
                    $"Invalid value for attribute {EcsText.Cut(attribute.Name)}: 1 to 128 letters, numbers, hyphens, underscores, periods, at signs, slashes, back slashes, colons or spaces, not starting or ending with a space.");
            }

            if (attribute.TargetType is not (null or ContainerInstanceTarget))
            {
                throw EcsException.InvalidParameter("targetType must be container-instance.");
            }

            if (string.IsNullOrEmpty(attribute.TargetId))
            {
                throw EcsException.InvalidParameter($"Attribute {EcsText.Cut(attribute.Name)} needs a targetId: the container instance's ARN or ID.");
            }
        }

        return attributes;
    }

    private InstanceRecord AttributeTarget(StateSnapshot state, ClusterRecord cluster, Attribute attribute)
    {
        var arn = InstanceArn(arns, cluster, attribute.TargetId!);
        return state.Instance(arn) is { } instance && instance.ClusterName == cluster.Name && instance.Status != ContainerInstanceStatus.Inactive
            ? instance
            : throw new EcsException("TargetNotFoundException", $"Could not find {EcsText.Cut(attribute.TargetId)} in cluster {cluster.Name}.");
    }

    private static Attribute Plain(Attribute attribute) => new() { Name = attribute.Name, Value = attribute.Value };


}
