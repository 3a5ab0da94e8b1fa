using Orchestrator.ControlPlane.Scheduling.Filters;

namespace Orchestrator.ControlPlane.Scheduling.Engine;

/// <summary>
/// When no instance can take the next task: runs every instance through the filters once more, records the first
/// one each fails, and sums them up, e.g. "3 lacked memory (the task needs 600 MiB), 2 failed
/// memberOf(attribute:zone == b)". The task's reason is that of the closest instance: the one that got furthest.
/// </summary>
internal static class FailureExplainer
{
    public const string NoInstances = "No container instances were found in the cluster.";

    public static (UnplacedTask Template, List<PlacementFailure> Failures) Explain(PlacementWorkspace work, FilterChain chain)
    {
        var instances = work.Instances;
        if (instances.Count == 0)
        {
            return (new UnplacedTask(0, PlacementReasons.Missing, NoInstances, []), []);
        }

        var filters = chain.Filters;
        var perFilter = new int[filters.Count];
        var failures = new List<PlacementFailure>(instances.Count);
        int closest = -1, closestFilter = -1;
        for (var i = 0; i < instances.Count; i++)
        {
            var state = work.State(i);
            var f = chain.FirstFailure(state);
            if (f < 0)
            {
                continue; // cannot happen when nothing was eligible; kept for safety
            }

            perFilter[f]++;
            failures.Add(new PlacementFailure(instances[i].Arn, filters[f].Reason, filters[f].Detail(state)));
            if (f > closestFilter)
            {
                (closest, closestFilter) = (i, f);
            }
        }

        var counts = new List<FilterCount>();
        for (var f = 0; f < filters.Count; f++)
        {
            if (perFilter[f] > 0)
            {
                counts.Add(new FilterCount(filters[f].Summary(perFilter[f]), filters[f].Reason, perFilter[f]));
            }
        }

        var instanceWord = instances.Count == 1 ? "container instance" : "container instances";
        var explanation = $"No container instance met all of the task's requirements. Of {instances.Count} {instanceWord}, "
            + $"{string.Join(", ", counts.Select(c => c.Summary))}. "
            + $"The closest, {instances[closest].Id}: {filters[closestFilter].Detail(work.State(closest))}";
        return (new UnplacedTask(0, filters[closestFilter].Reason, explanation, counts), failures);
    }
}
