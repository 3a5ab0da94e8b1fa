namespace Orchestrator.ControlPlane.Scheduling.Engine;

/// <summary>
/// One strategy's ranking key per instance, lower preferred: a workspace column read directly (binpack: remaining
/// CPU or memory; spread over instances: tasks of the group), or, for spread over an attribute, the group's task
/// count of the instance's value (<c>Counts[Column[i]]</c>).
/// </summary>
internal readonly record struct StrategyKey(int[] Column, int[]? Counts)
{
    public int Of(int i) => Counts is null ? Column[i] : Counts[Column[i]];

    public void Placed(int i)
    {
        if (Counts is not null)
        {
            Counts[Column[i]]++;
        }
    }

    public static StrategyKey For(ParsedStrategy strategy, ClusterSnapshot snapshot, PlacementWorkspace work) => strategy.Field switch
    {
        StrategyField.Cpu => new StrategyKey(work.Cpu, null),
        StrategyField.Memory => new StrategyKey(work.MemoryMiB, null),
        StrategyField.InstanceId => new StrategyKey(work.GroupTasks, null),
        _ => AttributeSpread(snapshot.Column(strategy.AttributeName!), work),
    };

    /// <summary>
    /// Counts the group's tasks per attribute value (instances without the attribute, or with no value, spread as
    /// one more value) over every instance of the snapshot, eligible or not, so that tasks already running on a full
    /// or draining instance still count for its value.
    /// </summary>
    private static StrategyKey AttributeSpread(AttributeColumn column, PlacementWorkspace work)
    {
        var ids = column.Ids;
        if (column.HasNoValue)
        {
            ids = Array.ConvertAll(ids, id => id == AttributeColumn.NoValue ? AttributeColumn.Absent : id);
        }

        var counts = new int[column.Values.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            counts[ids[i]] += work.GroupTasks[i];
        }

        return new StrategyKey(ids, counts);
    }
}
