namespace Orchestrator.ControlPlane.Scheduling.Engine;

/// <summary>
/// Picks the instance for the next task by the request's strategies, in order: each ranks the eligible instances by
/// a key (see <see cref="StrategyKey"/>) and a later one only breaks the ties of those before it. Random breaks the
/// remaining ties uniformly (reservoir sampling over the scan), so strategies after it never matter; without it,
/// the first instance in ARN order wins. One pass over the eligible instances, no allocation; chains of up to two
/// keys (the common ones) compare one folded key per instance.
/// </summary>
internal sealed class StrategyScan
{
    private readonly PlacementWorkspace work;
    private readonly StrategyKey[] keys;
    private readonly bool random;
    private readonly int[] bestKeys;
    private SplitMix64 rng;

    public StrategyScan(ClusterSnapshot snapshot, PlacementWorkspace work, PlacementRequest request)
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

            list.Add(StrategyKey.For(strategy, snapshot, work));
        }

        if (list.Count == 1)
        {
            list.Add(new StrategyKey(new int[snapshot.Items.Length], null)); // a second key that always ties
        }

        keys = [.. list];
        bestKeys = new int[keys.Length];
    }

    /// <summary>The index of the instance for the next task, or -1 when no instance can take it.</summary>
    public int Choose() => work.EligibleCount == 0 ? -1 : keys.Length switch
    {
        0 when random => work.Eligible[rng.NextBelow(work.EligibleCount)],
        2 => ChooseByTwoKeys(),
        _ => ChooseByKeys(),
    };

    /// <summary>Counts a task placed on instance <paramref name="i"/> in the spread keys.</summary>
    public void Placed(int i)
    {
        foreach (var key in keys)
        {
            key.Placed(i);
        }
    }

    /// <summary>
    /// Both keys folded into one 64-bit value (first key high, second key low, order-preserving), so each instance
    /// costs one comparison whose outcome is rarely "better": no hard-to-predict branch per key.
    /// </summary>
    private int ChooseByTwoKeys()
    {
        var (first, second) = (keys[0], keys[1]);
        var eligible = work.Eligible;
        var count = work.EligibleCount;
        var best = eligible[0];
        var bestKey = Fold(first.Of(best), second.Of(best));
        var ties = 1;
        for (var e = 1; e < count; e++)
        {
            var i = eligible[e];
            var key = Fold(first.Of(i), second.Of(i));
            if (key < bestKey)
            {
                (best, bestKey, ties) = (i, key, 1);
            }
            else if (key == bestKey)
            {
                best = BreakTie(best, i, ref ties);
            }
        }

        return best;
    }

    private static long Fold(int high, int low) => ((long)high << 32) | (uint)(low ^ int.MinValue);

    private int ChooseByKeys()
    {
        var eligible = work.Eligible;
        var count = work.EligibleCount;
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
            for (var s = 0; s < keys.Length && order == 0; s++)
            {
                var key = keys[s].Of(i);
                order = key.CompareTo(bestKeys[s]);
                if (order < 0)
                {
                    bestKeys[s] = key;
                    for (var t = s + 1; t < keys.Length; t++)
                    {
                        bestKeys[t] = keys[t].Of(i);
                    }
                }
            }

            if (order < 0)
            {
                (best, ties) = (i, 1);
            }
            else if (order == 0)
            {
                best = BreakTie(best, i, ref ties);
            }
        }

        return best;
    }

    /// <summary>Between two instances equal on every key: random keeps each of the k tied so far with chance 1/k.</summary>
    private int BreakTie(int best, int candidate, ref int ties)
    {
        if (random)
        {
            return rng.NextBelow(++ties) == 0 ? candidate : best;
        }

        return candidate < best ? candidate : best;
    }
}
