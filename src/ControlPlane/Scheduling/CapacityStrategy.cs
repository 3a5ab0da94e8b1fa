namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// ECS's capacity provider strategy arithmetic, pure: <c>base</c> tasks go first to the one provider that has a base,
/// the rest are split by <c>weight</c>. ECS does not document how it rounds a share that does not divide evenly; here
/// the split is by largest remainder (each provider gets the whole part of its share, the tasks left over go to the
/// largest fractional parts, ties to the provider listed first), so every provider's count is within one task of its
/// exact share. ECS's documented examples hold: base 1 on A, weight 1:3 A:B and 9 tasks is A 1 + 2, B 6.
/// </summary>
public static class CapacityStrategy
{
    /// <summary>One strategy item: a provider's name, base and weight (the defaults, 0, already filled in).</summary>
    public readonly record struct Item(string Provider, int Base, int Weight);

    /// <summary>How many of <paramref name="count"/> tasks each item's provider gets, in the items' order.</summary>
    public static int[] Split(IReadOnlyList<Item> items, int count)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var result = new int[items.Count];
        var rest = count;
        for (var i = 0; i < items.Count && rest > 0; i++)
        {
            var taken = Math.Min(items[i].Base, rest);
            result[i] += taken;
            rest -= taken;
        }

        long total = items.Sum(i => (long)i.Weight);
        if (rest == 0 || total == 0)
        {
            return result;
        }

        var remainders = new (long Remainder, int Index)[items.Count];
        var given = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var exact = (long)rest * items[i].Weight;
            var whole = (int)(exact / total);
            result[i] += whole;
            given += whole;
            remainders[i] = (exact % total, i);
        }

        foreach (var (_, index) in remainders.OrderByDescending(r => r.Remainder).ThenBy(r => r.Index).Take(rest - given))
        {
            result[index]++;
        }

        return result;
    }

    /// <summary>
    /// For a service that already has <paramref name="existing"/> tasks per provider (by name): which providers its
    /// next <paramref name="launch"/> tasks go to, in the items' order. The split of all the service's tasks on these
    /// providers is the target; each provider gets what it lacks of its target, the ones lacking most first.
    /// </summary>
    public static int[] Next(IReadOnlyList<Item> items, IReadOnlyDictionary<string, int> existing, int launch)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(existing);
        var have = items.Select(i => existing.GetValueOrDefault(i.Provider)).ToArray();
        var target = Split(items, have.Sum() + launch);
        var result = new int[items.Count];
        for (var left = launch; left > 0; left--)
        {
            var best = -1;
            for (var i = 0; i < items.Count; i++)
            {
                var lack = target[i] - have[i] - result[i];
                if (lack > 0 && (best < 0 || lack > target[best] - have[best] - result[best]))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                // Nothing lacks (cannot happen: the targets add up to what there will be); keep the split's order.
                best = Array.FindIndex(items.ToArray(), i => i.Weight > 0);
                if (best < 0)
                {
                    break;
                }
            }

            result[best]++;
        }

        return result;
    }
}
