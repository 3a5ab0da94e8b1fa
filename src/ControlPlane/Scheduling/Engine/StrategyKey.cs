namespace Orchestrator.ControlPlane.Scheduling.Engine;

/// <summary>One strategy's ranking key per instance; lower is preferred.</summary>
internal sealed class StrategyKey
{
    private readonly Kind kind;
    private readonly int[] column; // per instance: the workspace array, or the attribute value id for spread
    private readonly int[] counts; // spread over an attribute: tasks of the group per value id

    private StrategyKey(Kind kind, int[] column, int[] counts)
    {
        this.kind = kind;
        this.column = column;
        this.counts = counts;
    }

    private enum Kind
    {
        Column,
        AttributeSpread,
    }

    public static StrategyKey For(ParsedStrategy strategy, PlacementWorkspace work) => strategy.Field switch
    {
        StrategyField.Cpu => new StrategyKey(Kind.Column, work.Cpu, []),
        StrategyField.Memory => new StrategyKey(Kind.Column, work.MemoryMiB, []),
        StrategyField.InstanceId => new StrategyKey(Kind.Column, work.GroupTasks, []),
        _ => AttributeSpread(strategy.AttributeName!, work),
    };

    public long Of(int i) => kind == Kind.Column ? column[i] : counts[column[i]];

    public void Placed(int i)
    {
        if (kind == Kind.AttributeSpread)
        {
            counts[column[i]]++;
        }
    }

    /// <summary>
    /// Gives each distinct value of the attribute an id (0: instances without it, or with no value, which spread
    /// as one more value) and counts the group's tasks per value over every instance of the snapshot, eligible or
    /// not, so that tasks already running on a full or draining instance still count for its value.
    /// </summary>
    private static StrategyKey AttributeSpread(string name, PlacementWorkspace work)
    {
        var instances = work.Instances;
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var column = new int[instances.Count];
        for (var i = 0; i < column.Length; i++)
        {
            if (instances[i].Attributes.TryGetValue(name, out var value) && value is not null)
            {
                if (!ids.TryGetValue(value, out var id))
                {
                    id = ids.Count + 1;
                    ids.Add(value, id);
                }

                column[i] = id;
            }
        }

        var counts = new int[ids.Count + 1];
        for (var i = 0; i < column.Length; i++)
        {
            counts[column[i]] += work.GroupTasks[i];
        }

        return new StrategyKey(Kind.AttributeSpread, column, counts);
    }
}
