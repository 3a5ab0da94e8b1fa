using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Application.ResourceReferences;

namespace Orchestrator.ControlPlane.Application;

/// <summary>
/// "Why not placed", without placing: the placement engine run over the cluster as it is now for one task of a
/// service (its task definition, constraints and strategies, as the service scheduler asks) or of a task definition
/// (as RunTask asks, no constraints), and the per-instance reasons it gives — the same <c>failures</c> RunTask
/// answers with. Read-only: nothing is created or held.
/// </summary>
public sealed class PlacementPreview(StateStore store, Arns arns, IAgentConnections connections)
{
    public PlacementPreviewResult ForService(string? cluster, string? service)
    {
        var state = store.Current;
        var record = FindService(arns, state, ActiveCluster(arns, state, cluster), service);
        var definition = state.TaskDefinitionByArn(record.TaskDefinitionArn)
            ?? throw new EcsException(EcsErrors.Client, "The service's task definition is gone.");
        var rules = PlacementValidation.Validate([.. definition.PlacementConstraints ?? [], .. record.PlacementConstraints], record.PlacementStrategy);
        if (rules.Strategies.Count == 0 && !record.IsDaemon)
        {
            rules = rules with { Strategies = PlacementRules.ServiceDefaultStrategies };
        }

        return Preview(state, record.ClusterName, definition, record.TaskGroup, rules);
    }

    public PlacementPreviewResult ForTaskDefinition(string? cluster, string? taskDefinition)
    {
        var state = store.Current;
        var active = ActiveCluster(arns, state, cluster);
        var definition = FindTaskDefinition(arns, state, taskDefinition)
            ?? throw EcsException.InvalidParameter("Unable to find task definition.");
        var rules = PlacementValidation.Validate([.. definition.PlacementConstraints ?? []], []);
        return Preview(state, active.Name, definition, null, rules);
    }

    private PlacementPreviewResult Preview(StateSnapshot state, string cluster, TaskDefinition definition, string? group, PlacementRules rules)
    {
        var snapshot = ClusterSnapshot.From(state, cluster, connections.IsAvailable);
        var result = PlacementEngine.Place(snapshot, new PlacementRequest(TaskRequirements.Of(definition), 1, group, rules));
        var unplaced = result.Unplaced.FirstOrDefault();
        return new PlacementPreviewResult(
            definition.TaskDefinitionArn ?? "",
            result.IsComplete ? result.Placements[0].InstanceArn : null,
            unplaced?.Reason,
            unplaced?.Explanation,
            [.. result.InstanceFailures.Select(f => new PlacementPreviewFailure(f.InstanceArn, f.Reason, f.Detail))]);
    }
}

/// <summary>Where one more task would go now (<see cref="Instance"/>), or why no instance takes it.</summary>
public sealed record PlacementPreviewResult(string TaskDefinitionArn, string? Instance, string? Reason, string? Explanation, IReadOnlyList<PlacementPreviewFailure> Failures);

public sealed record PlacementPreviewFailure(string Arn, string Reason, string Detail);
