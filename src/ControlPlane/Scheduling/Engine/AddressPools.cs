namespace Orchestrator.ControlPlane.Scheduling.Engine;

/// <summary>
/// The free addresses of the subnets during one placement. Unlike CPU or memory they are shared: an instance may be
/// served by several subnets and a subnet serves several instances, so a task placed on one instance can leave
/// another with none. An awsvpc task takes an address from the first subnet serving its instance (in configuration
/// order, among those the request allows) that has one left — the same rule the commit follows.
/// </summary>
internal sealed class AddressPools
{
    private readonly int[] _free;
    private readonly int[][] _forInstance;
    private readonly IEnumerator<uint>?[] _cursors;

    public AddressPools(ClusterSnapshot snapshot, PlacementRequest request)
    {
        var subnets = snapshot.Subnets;
        _free = [.. subnets.Select(s => s.FreeAddresses)];
        _cursors = new IEnumerator<uint>?[subnets.Count];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var s = 0; s < subnets.Count; s++)
        {
            index.TryAdd(subnets[s].Id, s);
        }

        var allowed = request.Subnets is { } names ? new HashSet<string>(names, StringComparer.Ordinal) : null;
        Allowed = request.Subnets;
        _forInstance = [.. snapshot.Items.Select(instance => instance.SubnetIds
            .Where(id => allowed is null || allowed.Contains(id))
            .Select(id => index.TryGetValue(id, out var s) ? s : -1)
            .Where(s => s >= 0)
            .ToArray())];
        Subnets = subnets;
    }

    /// <summary>The subnets the request allows; null: any.</summary>
    public IReadOnlyList<string>? Allowed { get; }

    public IReadOnlyList<SubnetSnapshot> Subnets { get; }

    /// <summary>Whether a subnet the request allows serves instance <paramref name="i"/>.</summary>
    public bool Serves(int i) => _forInstance[i].Length > 0;

    /// <summary>Whether one of those has an address left.</summary>
    public bool HasAddress(int i) => Array.Exists(_forInstance[i], s => _free[s] > 0);

    /// <summary>The subnets that serve instance <paramref name="i"/> for this request.</summary>
    public IEnumerable<SubnetSnapshot> Serving(int i) => _forInstance[i].Select(s => Subnets[s]);

    /// <summary>
    /// Takes an address for a task on instance <paramref name="i"/>: the address (null when the snapshot does not
    /// know its subnet's addresses) and whether that emptied its subnet.
    /// </summary>
    public (PlannedAddress? Address, bool Emptied) Take(int i)
    {
        foreach (var s in _forInstance[i])
        {
            if (_free[s] > 0)
            {
                var emptied = --_free[s] == 0;
                var cursor = _cursors[s] ??= Subnets[s].Free().GetEnumerator();
                return (cursor.MoveNext() ? new PlannedAddress(Subnets[s].Id, cursor.Current) : null, emptied);
            }
        }

        return (null, false);
    }
}
