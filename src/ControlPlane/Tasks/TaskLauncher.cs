using System.Diagnostics;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Telemetry;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tasks;

/// <summary>
/// The one way tasks are launched — RunTask, StartTask and the service scheduler alike — in three steps, as Nomad's
/// plan applier does: <see cref="Plan"/> places the tasks over a snapshot without holding the writer (the plan
/// carries each task's instance, GPU IDs and awsvpc address); <see cref="Commit"/>, inside the one writer,
/// re-checks only the instances the plan touches against the state of that moment, keeps every task that still
/// fits, places again only those that no longer do, and stores the tasks; then the caller dispatches the created
/// tasks to their agents. Two launches can never oversubscribe an instance, and a change elsewhere in the cluster
/// costs nothing.
/// </summary>
public sealed class TaskLauncher(IAgentConnections availability, TaskLifecycle lifecycle, ControlPlaneMetrics? metrics = null)
{
    /// <summary>Places the request over <paramref name="state"/>. Pure but for the instances' availability.</summary>
    public LaunchPlan Plan(StateSnapshot state, LaunchRequest request)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(request);
        using var span = ControlPlaneMetrics.Source.StartActivity("placement");
        var started = Stopwatch.GetTimestamp();
        var snapshot = ClusterSnapshot.From(state, request.Cluster.Name, availability.IsAvailable);
        var plan = new LaunchPlan(request, state, Place(snapshot, request, request.OnInstances, request.Placement.Count));
        metrics?.PlacementTook(request.Cluster.Name, started);
        span?.SetTag("orch.cluster", request.Cluster.Name);
        span?.SetTag("orch.placed", plan.Placement.Placements.Count);
        return plan;
    }

    /// <summary>
    /// Stores the plan's tasks as PENDING in <paramref name="tx"/>. When the state is not the very snapshot the plan
    /// was made over — another write came first, or this transaction already changed something (another launch of
    /// the same service pass) — each instance the plan uses is checked again with the placement filters, counting
    /// the tasks planned on it; the tasks that no longer fit (and only those) are placed again over the state that
    /// includes the ones kept.
    /// </summary>
    public LaunchOutcome Commit(StateTransaction tx, LaunchPlan plan)
    {
        using var span = ControlPlaneMetrics.Source.StartActivity("commit");
        var outcome = CommitPlan(tx, plan);
        if (metrics is not null)
        {
            metrics.Placed(plan.Request.Cluster.Name, outcome.Created.Count, outcome.Placement.Unplaced.Count == 0 ? [] : [.. outcome.Placement.Unplaced.Select(u => u.Reason)]);
        }

        span?.SetTag("orch.created", outcome.Created.Count);
        return outcome;
    }

    private LaunchOutcome CommitPlan(StateTransaction tx, LaunchPlan plan)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(plan);
        var request = plan.Request;
        var result = plan.Placement;
        if (result.Placements.Count == 0 || ReferenceEquals(tx.State, plan.Basis))
        {
            return new LaunchOutcome(Create(tx, request, result.Placements), result, 0);
        }

        var verified = Verify(tx.State, request, result.Placements);
        var created = Create(tx, request, verified.Placements);
        var rejected = result.Placements.Count - verified.Placements.Count;
        if (rejected == 0)
        {
            return new LaunchOutcome(created, result with { Placements = verified.Placements }, 0);
        }

        var again = Place(
            ClusterSnapshot.From(tx.State, request.Cluster.Name, availability.IsAvailable),
            request,
            request.OnInstances is null ? null : verified.InstanceFailures.Select(f => f.InstanceArn).ToList(),
            rejected);
        created.AddRange(Create(tx, request, again.Placements));
        var unplaced = result.Unplaced.Concat(again.Unplaced).Select((u, n) => u with { Index = created.Count + n }).ToList();
        var failures = again.InstanceFailures
            .Concat(result.InstanceFailures.Where(f => again.InstanceFailures.All(a => a.InstanceArn != f.InstanceArn)))
            .ToList();
        return new LaunchOutcome(created, new PlacementResult([.. verified.Placements, .. again.Placements], unplaced, failures), rejected);
    }

    /// <summary>
    /// The planned tasks that still fit the current state: the touched instances, rebuilt from it, take the tasks
    /// planned on them in plan order through the same filters (their GPUs and addresses chosen from what is free
    /// now). Those that do not fit come back as failures, one per task, under their instance's ARN.
    /// </summary>
    private PlacementResult Verify(StateSnapshot state, LaunchRequest request, IReadOnlyList<TaskPlacement> planned)
    {
        var touched = planned.Select(p => p.InstanceArn).Distinct(StringComparer.Ordinal)
            .Select(state.Instance)
            .OfType<InstanceRecord>()
            .Where(i => i.Status != ContainerInstanceStatus.Inactive && i.ClusterName == request.Cluster.Name)
            .Select(i => ClusterSnapshot.Of(state, i, availability.IsAvailable(i.Arn)));
        // Only awsvpc tasks take addresses: the subnets' free addresses (a pass over every held address) are read for them alone.
        var snapshot = new ClusterSnapshot(touched, request.Placement.Needs.UsesTaskEni ? ClusterSnapshot.SubnetsOf(state) : null);
        return PlacementEngine.PlaceOn(snapshot, request.Placement, [.. planned.Select(p => p.InstanceArn)]);
    }

    private static PlacementResult Place(ClusterSnapshot snapshot, LaunchRequest request, IReadOnlyList<string>? onInstances, int count) =>
        onInstances is not null
            ? PlacementEngine.PlaceOn(snapshot, request.Placement, onInstances)
            : PlacementEngine.Place(snapshot, request.Placement with { Count = count });

    private List<TaskRecord> Create(StateTransaction tx, LaunchRequest request, IReadOnlyList<TaskPlacement> placements)
    {
        var created = new List<TaskRecord>(placements.Count);
        foreach (var placement in placements)
        {
            var assignment = TaskAssignment.From(placement, request.Definition, tx.State);
            var task = lifecycle.Create(request.Cluster, request.Definition, request.Placement.Needs, placement.InstanceArn, request.Settings, assignment);
            tx.Put(task);
            if (request.Tags.Count > 0)
            {
                tx.PutTags(task.Arn, request.Tags);
            }

            created.Add(task);
        }

        return created;
    }
}
