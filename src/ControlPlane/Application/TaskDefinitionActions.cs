using System.Globalization;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using Orchestrator.Ecs.Validation;
using static Orchestrator.ControlPlane.Application.RequestChecks;
using static Orchestrator.ControlPlane.Application.ResourceReferences;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// ECS's task definition actions: RegisterTaskDefinition, DeregisterTaskDefinition, DescribeTaskDefinition,
/// DeleteTaskDefinitions, ListTaskDefinitions and ListTaskDefinitionFamilies.
/// </summary>
public sealed class TaskDefinitionActions(StateStore store, Arns arns, TimeProvider clock)
{
    public Task<TaskDefinitionResponse> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken)
    {
        var valid = TaskDefinitionValidator.Validate(request);
        var tags = Tagging.Validate(request.Tags);
        PlacementValidation.ValidateConstraints(valid.PlacementConstraints, forTaskDefinition: true);
        return store.WriteAsync(tx =>
        {
            var family = valid.Family!;
            var revision = tx.State.Revisions(family).Select(d => d.Revision).DefaultIfEmpty(0).Max() + 1;
            var definition = new TaskDefinition
            {
                TaskDefinitionArn = arns.TaskDefinition(family, revision),
                Family = family,
                TaskRoleArn = Ecs.Validation.RoleArn.NameOf(valid.TaskRoleArn) is { } role
                    ? (valid.TaskRoleArn!.StartsWith("arn:", StringComparison.Ordinal) ? valid.TaskRoleArn : Ecs.Validation.RoleArn.For(arns.Account, role))
                    : null,
                Revision = revision,
                NetworkMode = valid.NetworkMode ?? NetworkModes.Bridge,
                ContainerDefinitions = valid.ContainerDefinitions!,
                Volumes = valid.Volumes,
                RequiresCompatibilities = valid.RequiresCompatibilities,
                Compatibilities = ["EC2", "EXTERNAL"],
                Cpu = valid.Cpu,
                Memory = valid.Memory,
                PlacementConstraints = valid.PlacementConstraints is { Count: > 0 } constraints ? constraints : null,
                Status = "ACTIVE",
                RegisteredAt = clock.GetUtcNow(),
                RegisteredBy = $"arn:aws:iam::{arns.Account}:root",
            };
            tx.Put(definition);
            tx.PutTags(definition.TaskDefinitionArn!, tags);
            return new TaskDefinitionResponse(definition, tags.Count == 0 ? null : tags);
        }, cancellationToken);
    }

    public Task<TaskDefinitionResponse> DeregisterTaskDefinitionAsync(DeregisterTaskDefinitionRequest request, CancellationToken cancellationToken)
    {
        var (family, revision) = ParseTaskDefinitionReference(arns, request.TaskDefinition);
        if (revision is null)
        {
            throw EcsException.InvalidParameter("The task definition revision must be given: family:revision or a full ARN.");
        }

        return store.WriteAsync(tx =>
        {
            var definition = tx.State.TaskDefinition(family, revision.Value) ?? throw EcsException.Client("The specified task definition does not exist.");
            if (definition.Status == "INACTIVE")
            {
                return new TaskDefinitionResponse(definition);
            }

            var inactive = definition with { Status = "INACTIVE", DeregisteredAt = clock.GetUtcNow() };
            tx.Put(inactive);
            return new TaskDefinitionResponse(inactive);
        }, cancellationToken);
    }

    /// <summary>
    /// ECS's DeleteTaskDefinitions: up to 10 INACTIVE revisions move to DELETE_IN_PROGRESS — no longer listed, run or
    /// used by a service; their revision numbers are never given again. An ACTIVE or unknown one is a failure.
    /// </summary>
    public Task<DeleteTaskDefinitionsResponse> DeleteTaskDefinitionsAsync(DeleteTaskDefinitionsRequest request, CancellationToken cancellationToken)
    {
        var references = request.TaskDefinitions ?? [];
        if (references.Count is 0 or > 10)
        {
            throw EcsException.InvalidParameter("taskDefinitions must name between 1 and 10 task definition revisions.");
        }

        var parsed = references.Select(r => (Reference: r, Parsed: ParseTaskDefinitionReference(arns, r))).ToList();
        if (parsed.FirstOrDefault(p => p.Parsed.Revision is null) is { Reference: { } unrevised })
        {
            throw EcsException.InvalidParameter($"The task definition revision must be given: family:revision or a full ARN ({EcsText.Cut(unrevised)}).");
        }

        return store.WriteAsync(tx =>
        {
            var deleted = new List<TaskDefinition>();
            var failures = new List<Failure>();
            foreach (var (reference, (family, revision)) in parsed)
            {
                var definition = tx.State.TaskDefinition(family, revision!.Value);
                if (definition is null)
                {
                    failures.Add(new Failure(arns.TaskDefinition(family, revision.Value), "TASK_DEFINITION_NOT_FOUND", "The specified task definition does not exist."));
                }
                else if (definition.Status == "ACTIVE")
                {
                    failures.Add(new Failure(definition.TaskDefinitionArn, "TASK_DEFINITION_NOT_INACTIVE",
                        "The task definition is ACTIVE: deregister it before deleting it."));
                }
                else if (definition.Status == "DELETE_IN_PROGRESS")
                {
                    deleted.Add(definition);
                }
                else
                {
                    var deleting = definition with { Status = "DELETE_IN_PROGRESS", DeleteRequestedAt = clock.GetUtcNow() };
                    tx.Put(deleting);
                    deleted.Add(deleting);
                }
            }

            return new DeleteTaskDefinitionsResponse(deleted, failures);
        }, cancellationToken);
    }

    public Task<TaskDefinitionResponse> DescribeTaskDefinitionAsync(DescribeTaskDefinitionRequest request, CancellationToken cancellationToken)
    {
        var include = DescribeIncludes.Parse(request.Include, "TAGS");
        var state = store.Current;
        var definition = FindTaskDefinition(arns, state, request.TaskDefinition) ?? throw EcsException.Client("Unable to describe task definition.");
        return Task.FromResult(new TaskDefinitionResponse(definition, include.Has("TAGS") && request.Include is not null ? state.TagsOf(definition.TaskDefinitionArn!) : null));
    }

    public Task<ListTaskDefinitionsResponse> ListTaskDefinitionsAsync(ListTaskDefinitionsRequest request, CancellationToken cancellationToken)
    {
        CheckMaxResults(request.MaxResults);
        CheckEnum(request.Status, "status", "ACTIVE", "INACTIVE");
        CheckEnum(request.Sort, "sort", "ASC", "DESC");
        var status = request.Status ?? "ACTIVE";
        var descending = request.Sort == "DESC";
        var definitions = store.Current.TaskDefinitions.Values
            .Where(d => d.Status == status && (request.FamilyPrefix is null || d.Family.StartsWith(request.FamilyPrefix, StringComparison.Ordinal)));
        if (descending)
        {
            definitions = definitions.Reverse();
        }

        var (page, next) = Paging.Page(definitions, d => SortKey(d.Family, d.Revision), request.NextToken, request.MaxResults, descending: descending);
        return Task.FromResult(new ListTaskDefinitionsResponse(page.Select(d => d.TaskDefinitionArn!).ToList(), next));
    }

    public Task<ListTaskDefinitionFamiliesResponse> ListTaskDefinitionFamiliesAsync(ListTaskDefinitionFamiliesRequest request, CancellationToken cancellationToken)
    {
        CheckMaxResults(request.MaxResults);
        CheckEnum(request.Status, "status", "ACTIVE", "INACTIVE", "ALL");
        var families = store.Current.TaskDefinitions.Values
            .Where(d => request.FamilyPrefix is null || d.Family.StartsWith(request.FamilyPrefix, StringComparison.Ordinal))
            .GroupBy(d => d.Family)
            .Where(g => request.Status switch
            {
                "ACTIVE" => g.Any(d => d.Status == "ACTIVE"),
                "INACTIVE" => g.All(d => d.Status == "INACTIVE"),
                _ => true,
            })
            .Select(g => g.Key);
        var (page, next) = Paging.Page(families, f => f, request.NextToken, request.MaxResults);
        return Task.FromResult(new ListTaskDefinitionFamiliesResponse(page, next));
    }

    private static string SortKey(string family, int revision) =>
        $"{family}\u0000{revision.ToString("D10", CultureInfo.InvariantCulture)}";
}
