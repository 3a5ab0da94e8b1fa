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
    private readonly PlacementWorkspace _work;
    private readonly StrategyKey[] _keys;
    private readonly bool _random;
    private readonly int[] _bestKeys;
    private SplitMix64 _rng;

    public StrategyScan(ClusterSnapshot snapshot, PlacementWorkspace work, PlacementRequest request)
    {
        _work = work;
        _rng = new SplitMix64(request.Seed);
        var list = new List<StrategyKey>();
        foreach (var strategy in request.Rules.EffectiveStrategies)
        {
            if (strategy.Kind == StrategyKind.Random)
            {
                _random = true;
                break;
            }

            list.Add(StrategyKey.For(strategy, snapshot, work));
        }

        if (list.Count == 1)
        {
            list.Add(new StrategyKey(new int[snapshot.Items.Length], null)); // a second key that always ties
        }

        _keys = [.. list];
        _bestKeys = new int[_keys.Length];
    }

    /// <summary>The index of the instance for the next task, or -1 when no instance can take it.</summary>
    public int Choose() => _work.EligibleCount == 0 ? -1 : _keys.Length switch
    {
        0 when _random => _work.Eligible[_rng.NextBelow(_work.EligibleCount)],
        2 => ChooseByTwoKeys(),
        _ => ChooseByKeys(),
    };

    /// <summary>Counts a task placed on instance <paramref name="i"/> in the spread keys.</summary>
    public void Placed(int i)
    {
        foreach (var key in _keys)
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
        var (first, second) = (_keys[0], _keys[1]);
        var eligible = _work.Eligible;
        var count = _work.EligibleCount;
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
        var eligible = _work.Eligible;
        var count = _work.EligibleCount;
        var best = eligible[0];
        for (var s = 0; s < _keys.Length; s++)
        {
            _bestKeys[s] = _keys[s].Of(best);
        }

        var ties = 1;
        for (var e = 1; e < count; e++)
        {
            var i = eligible[e];
            var order = 0;
            for (var s = 0; s < _keys.Length && order == 0; s++)
            {
                var key = _keys[s].Of(i);
                order = key.CompareTo(_bestKeys[s]);
                if (order < 0)
                {
                    _bestKeys[s] = key;
                    for (var t = s + 1; t < _keys.Length; t++)
                    {
                        _bestKeys[t] = _keys[t].Of(i);
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
        if (_random)
        {
            return _rng.NextBelow(++ties) == 0 ? candidate : best;
        }

        return candidate < best ? candidate : best;
    }
}
