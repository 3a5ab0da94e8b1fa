using CsCheck;
using Orchestrator.ControlPlane.Scheduling;
using Item = Orchestrator.ControlPlane.Scheduling.CapacityStrategy.Item;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

/// <summary>
/// The capacity provider strategy arithmetic: ECS's documented examples, and as properties over any strategy ECS
/// accepts: every task placed, the base honoured first, the rest within one task of its weight's share.
/// </summary>
public sealed class CapacityStrategyTests
{
    [Theory]
    [InlineData(9, 1, 1, 3, 3, 6)] // the example: base 1 on A, weight 1:3 → A 1 + 2, B 6
    [InlineData(10, 2, 1, 3, 4, 6)] // ECS: A{base 2, weight 1}, B{weight 3}, 10 tasks → A 4, B 6
    [InlineData(2, 2, 1, 3, 2, 0)] // the base only
    [InlineData(10, 0, 1, 4, 2, 8)] // weights 1:4
    [InlineData(5, 3, 0, 1, 3, 2)] // a weight-0 provider gets its base only
    [InlineData(2, 3, 0, 1, 2, 0)]
    [InlineData(5, 0, 1, 1, 3, 2)] // 5 at 1:1: the odd task to the provider listed first
    public void Split_EcsDocumentedExamples(int count, int baseA, int weightA, int weightB, int expectedA, int expectedB)
    {
        var split = CapacityStrategy.Split([new Item("A", baseA, weightA), new Item("B", 0, weightB)], count);

        Assert.Equal([expectedA, expectedB], split);
    }

    private static readonly Gen<Item[]> GenStrategy =
        Gen.Int[1, 6].SelectMany(n => Gen.Select(Gen.Int[0, 1000].Array[n], Gen.Int[0, 50], Gen.Int[0, n - 1])
            .Where((weights, _, _) => weights.Any(w => w > 0))
            .Select((weights, baseCount, baseAt) => weights.Select((w, i) => new Item("p" + i, i == baseAt ? baseCount : 0, w)).ToArray()));

    [Fact]
    public void Split_AnyStrategy_PlacesAll_BaseFirst_RestWithinOneTaskOfItsShare()
    {
        Gen.Select(GenStrategy, Gen.Int[0, 500]).Sample((items, count) =>
        {
            var split = CapacityStrategy.Split(items, count);
            var baseTaken = Math.Min(items.Sum(i => i.Base), count);
            var rest = count - baseTaken;
            double total = items.Sum(i => i.Weight);
            var ok = split.Sum() == count;
            for (var i = 0; i < items.Length && ok; i++)
            {
                var share = rest * items[i].Weight / total;
                var got = split[i] - (items[i].Base > 0 ? baseTaken : 0);
                ok = got >= 0 && Math.Abs(got - share) < 1.0;
            }

            return ok;
        });
    }

    [Fact]
    public void Next_FromNoTasks_IsTheSplit_AndAlwaysLaunchesWhatWasAsked()
    {
        Gen.Select(GenStrategy, Gen.Int[0, 200], Gen.Int[0, 50].Array[6]).Sample((items, count, existing) =>
        {
            var none = CapacityStrategy.Next(items, new Dictionary<string, int>(), count);
            var have = items.Select((item, i) => (item.Provider, existing[i])).ToDictionary(x => x.Provider, x => x.Item2);
            var next = CapacityStrategy.Next(items, have, count);
            return none.SequenceEqual(CapacityStrategy.Split(items, count)) && next.Sum() == count && next.All(n => n >= 0);
        });
    }

    [Fact]
    public void Next_ServiceWithTasksOnB_SendsNewTasksWhereTheSplitLacks()
    {
        Item[] items = [new("A", 1, 1), new("B", 0, 3)];

        var next = CapacityStrategy.Next(items, new Dictionary<string, int> { ["B"] = 6 }, 3);

        Assert.Equal([3, 0], next);
    }
}
