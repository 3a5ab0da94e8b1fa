using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Application;

/// <summary>ECS's tagging actions: TagResource, UntagResource and ListTagsForResource, over full ARNs.</summary>
public sealed class TagActions(StateStore store, Arns arns)
{
    public Task<EmptyResponse> TagResourceAsync(TagResourceRequest request, CancellationToken cancellationToken)
    {
        var tags = Tagging.Validate(request.Tags ?? throw EcsException.InvalidParameter("tags is required."));
        return store.WriteAsync(tx =>
        {
            var arn = TaggableResource(tx.State, request.ResourceArn);
            tx.PutTags(arn, Tagging.Merge(tx.State.TagsOf(arn), tags));
            return new EmptyResponse();
        }, cancellationToken);
    }

    public Task<EmptyResponse> UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken)
    {
        var keys = request.TagKeys ?? throw EcsException.InvalidParameter("tagKeys is required.");
        return store.WriteAsync(tx =>
        {
            var arn = TaggableResource(tx.State, request.ResourceArn);
            tx.PutTags(arn, tx.State.TagsOf(arn).Where(t => !keys.Contains(t.Key!)).ToList());
            return new EmptyResponse();
        }, cancellationToken);
    }

    public Task<ListTagsForResourceResponse> ListTagsForResourceAsync(ListTagsForResourceRequest request, CancellationToken cancellationToken)
    {
        var state = store.Current;
        return Task.FromResult(new ListTagsForResourceResponse(state.TagsOf(TaggableResource(state, request.ResourceArn))));
    }

    /// <summary>The full ARN of an existing resource that can carry tags; tagging takes full ARNs only, as in ECS.</summary>
    private string TaggableResource(StateSnapshot state, string? resourceArn)
    {
        if (string.IsNullOrEmpty(resourceArn) || !Arns.TryParse(resourceArn, out var arn))
        {
            throw EcsException.InvalidParameter("resourceArn must be the full ARN of a cluster, task definition, task or container instance.");
        }

        if (arns.IsForeign(resourceArn))
        {
            throw EcsException.InvalidParameter("Resource ARN is not valid: it belongs to another region or account.");
        }

        var exists = arn.ResourceType switch
        {
            "cluster" => state.Cluster(arn.Path[^1]) is { Status: ClusterStatus.Active },
            "task-definition" => state.TaskDefinitionByArn(resourceArn) is not null,
            "task" => state.Task(resourceArn) is not null,
            "container-instance" => state.Instance(resourceArn) is not null,
            "service" => state.Service(resourceArn) is not null,
            _ => throw EcsException.InvalidParameter($"Resources of type {EcsText.Cut(arn.ResourceType)} cannot be tagged."),
        };
        return exists ? resourceArn : throw new EcsException(EcsErrors.ResourceNotFound, "The specified resource could not be found.");
    }
}
