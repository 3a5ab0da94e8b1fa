using Orchestrator.ControlPlane.Scheduling.Engine;
using Orchestrator.ControlPlane.Scheduling.Filters;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// Decides where tasks go, as ECS does: 1) instances that are ACTIVE, connected and have the CPU, memory, ports,
/// GPUs and awsvpc slots the task needs; 2) of those, the ones meeting every constraint; 3) the best by the
/// strategies in order. Pure: it sees only the snapshot and the request and returns a plan; committing the plan
/// (and re-checking it against the state of the moment) is the caller's job. Each task placed is taken into account
/// for the next one of the same request.
/// </summary>
public static class PlacementEngine
{
    public static PlacementResult Place(ClusterSnapshot snapshot, PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Count);
        var pools = new AddressPools(snapshot, request);
        var chain = new FilterChain(snapshot, request, pools);
        var work = new PlacementWorkspace(snapshot, request, chain, pools);
        var scan = new StrategyScan(snapshot, work, request);
        var placed = new List<TaskPlacement>(Math.Min(request.Count, snapshot.Items.Length * 16 + 16));
        while (placed.Count < request.Count)
        {
            var i = scan.Choose();
            if (i < 0)
            {
                break;
            }

            scan.Placed(i);
            placed.Add(work.Place(i));
        }

        if (placed.Count == request.Count)
        {
            return new PlacementResult(placed, [], []);
        }

        // The tasks are identical and nothing changes once one fails, so the rest fail the same way.
        var (template, failures) = FailureExplainer.Explain(work, chain);
        var unplaced = Enumerable.Range(placed.Count, request.Count - placed.Count).Select(n => template with { Index = n }).ToList();
        return new PlacementResult(placed, unplaced, failures);
    }

    /// <summary>
    /// StartTask: one task on each named instance (ARN or ID), in order, each checked against the same filters and
    /// constraints; no strategies. <see cref="PlacementRequest.Count"/> is ignored. An instance not in the snapshot
    /// fails with MISSING, under the ARN it was named by.
    /// </summary>
    public static PlacementResult PlaceOn(ClusterSnapshot snapshot, PlacementRequest request, IReadOnlyList<string> instances)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(instances);
        var pools = new AddressPools(snapshot, request);
        var chain = new FilterChain(snapshot, request, pools);
        var work = new PlacementWorkspace(snapshot, request, chain, pools);
        var index = new Dictionary<string, int>(snapshot.Items.Length, StringComparer.Ordinal);
        for (var i = 0; i < snapshot.Items.Length; i++)
        {
            index[snapshot.Items[i].Arn] = i;
            index.TryAdd(snapshot.Items[i].Id, i);
        }

        var placed = new List<TaskPlacement>(instances.Count);
        var unplaced = new List<UnplacedTask>();
        var failures = new List<PlacementFailure>();
        foreach (var reference in instances)
        {
            PlacementFailure failure;
            if (!index.TryGetValue(reference, out var i))
            {
                failure = new PlacementFailure(reference, PlacementReasons.Missing, "The container instance was not found in the cluster.");
            }
            else if (chain.FirstFailure(work.State(i)) is var f and >= 0)
            {
                var filter = chain.Filters[f];
                failure = new PlacementFailure(snapshot.Items[i].Arn, filter.Reason, filter.Detail(work.State(i)));
            }
            else
            {
                placed.Add(work.Place(i));
                continue;
            }

            failures.Add(failure);
            unplaced.Add(new UnplacedTask(placed.Count + unplaced.Count, failure.Reason, failure.Detail, [new FilterCount(failure.Detail, failure.Reason, 1)]));
        }

        return new PlacementResult(placed, unplaced, failures);
    }
}

