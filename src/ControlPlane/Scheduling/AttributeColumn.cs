namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// One attribute across a snapshot's instances, as small integer ids: <see cref="Absent"/>, <see cref="NoValue"/>
/// (a capability registered without a value) or an index into <see cref="Values"/>. Constraints evaluate once per
/// distinct value instead of once per instance, and spread counts per id.
/// </summary>
internal sealed class AttributeColumn
{
    public const int Absent = 0;
    public const int NoValue = 1;

    private AttributeColumn(int[] ids, string?[] values, bool hasNoValue)
    {
        Ids = ids;
        Values = values;
        HasNoValue = hasNoValue;
    }

    /// <summary>Per instance, the id of its value.</summary>
    public int[] Ids { get; }

    /// <summary>Per id, the value; null for the first two ids.</summary>
    public string?[] Values { get; }

    public bool HasNoValue { get; }

    public static AttributeColumn Build(string name, InstanceSnapshot[] instances)
    {
        var ids = new int[instances.Length];
        var byValue = new Dictionary<string, int>(StringComparer.Ordinal);
        var values = new List<string?> { null, null };
        var hasNoValue = false;
        for (var i = 0; i < instances.Length; i++)
        {
            if (!instances[i].Attributes.TryGetValue(name, out var value))
            {
                continue;
            }

            if (value is null)
            {
                ids[i] = NoValue;
                hasNoValue = true;
            }
            else if (byValue.TryGetValue(value, out var id))
            {
                ids[i] = id;
            }
            else
            {
                ids[i] = values.Count;
                byValue.Add(value, values.Count);
                values.Add(value);
            }
        }

        return new AttributeColumn(ids, [.. values], hasNoValue);
    }
}
