namespace Orchestrator.ControlPlane.Scheduling.Engine;

/// <summary>
/// Picks the instance for the next task by the request's strategies, in order: each one ranks the eligible
/// instances by a key (binpack: remaining CPU or memory; spread: tasks of the group on the instance or on all
/// instances sharing its attribute value), and a later one only breaks the ties of the ones before it. Random breaks
/// the remaining ties uniformly (reservoir sampling over the scan), so strategies after it never matter; without it,
/// the first instance in ARN order wins. One pass over the eligible instances, no allocation.
/// </summary>
internal sealed class StrategyScan
{
    private readonly PlacementWorkspace work;
    private readonly StrategyKey[] keys;
    private readonly bool random;
    private readonly long[] bestKeys;
    private SplitMix64 rng;

    public StrategyScan(PlacementWorkspace work, PlacementRequest request)
    {
        this.work = work;
        rng = new SplitMix64(request.Seed);
        var list = new List<StrategyKey>();
        foreach (var strategy in request.Rules.EffectiveStrategies)
        {
            if (strategy.Kind == StrategyKind.Random)
            {
                random = true;
                break;
            }

            list.Add(StrategyKey.For(strategy, work));
        }

        keys = [.. list];
        bestKeys = new long[keys.Length];
    }

    /// <summary>The index of the instance for the next task, or -1 when no instance can take it.</summary>
    public int Choose()
    {
        var eligible = work.Eligible;
        var count = work.EligibleCount;
        if (count == 0)
        {
            return -1;
        }

        var best = eligible[0];
        for (var s = 0; s < keys.Length; s++)
        {
            bestKeys[s] = keys[s].Of(best);
        }

        var ties = 1;
        for (var e = 1; e < count; e++)
        {
            var i = eligible[e];
            var order = 0;
            for (var s = 0; s < keys.Length; s++)
            {
                var key = keys[s].Of(i);
                if (key != bestKeys[s])
                {
                    order = key < bestKeys[s] ? -1 : 1;
                    if (order < 0)
                    {
                        bestKeys[s] = key;
                        for (var t = s + 1; t < keys.Length; t++)
                        {
                            bestKeys[t] = keys[t].Of(i);
                        }
                    }

                    break;
                }
            }

            if (order < 0)
            {
                best = i;
                ties = 1;
            }
            else if (order == 0)
            {
                if (random)
                {
                    if (rng.NextBelow(++ties) == 0)
                    {
                        best = i;
                    }
                }
                else if (i < best)
                {
                    best = i;
                }
            }
        }

        return best;
    }

    /// <summary>Counts a task placed on instance <paramref name="i"/> in the spread keys.</summary>
    public void Placed(int i)
    {
        foreach (var key in keys)
        {
            key.Placed(i);
        }
    }
}
