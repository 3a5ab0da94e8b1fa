namespace Orchestrator.ControlPlane.Scheduling;

public enum StrategyKind
{
    Random,
    Spread,
    Binpack,
}

public enum StrategyField
{
    None,
    Cpu,
    Memory,
    InstanceId,
    Attribute,
}

/// <summary>A validated placement strategy. Build with <see cref="PlacementValidation"/> or the factories.</summary>
public sealed record ParsedStrategy
{
    private ParsedStrategy(StrategyKind kind, StrategyField field, string? attributeName)
    {
        Kind = kind;
        Field = field;
        AttributeName = attributeName;
    }

    public StrategyKind Kind { get; }
    public StrategyField Field { get; }
    /// <summary>For spread over <c>attribute:&lt;name&gt;</c>, the name.</summary>
    public string? AttributeName { get; }

    public static ParsedStrategy Random { get; } = new(StrategyKind.Random, StrategyField.None, null);
    public static ParsedStrategy BinpackCpu { get; } = new(StrategyKind.Binpack, StrategyField.Cpu, null);
    public static ParsedStrategy BinpackMemory { get; } = new(StrategyKind.Binpack, StrategyField.Memory, null);
    public static ParsedStrategy SpreadInstances { get; } = new(StrategyKind.Spread, StrategyField.InstanceId, null);

    public static ParsedStrategy SpreadAttribute(string name) => new(StrategyKind.Spread, StrategyField.Attribute, name);

    public override string ToString() => Kind switch
    {
        StrategyKind.Random => "random",
        StrategyKind.Binpack => Field == StrategyField.Cpu ? "binpack(cpu)" : "binpack(memory)",
        _ => Field == StrategyField.InstanceId ? "spread(instanceId)" : $"spread(attribute:{AttributeName})",
    };
}
