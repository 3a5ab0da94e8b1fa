namespace Orchestrator.ControlPlane.Networking;

/// <summary>
/// A subnet awsvpc tasks take their addresses from, as the control plane's configuration defines it: the network
/// (<see cref="Network"/>/<see cref="PrefixLength"/>), the part of it tasks may have (<see cref="First"/> to
/// <see cref="Last"/>, never the gateway), the gateway, and which container instances sit on it — those of
/// <see cref="Cluster"/> (every cluster when null) for which <see cref="Hosts"/> holds (every one when null).
/// Every host it serves must be on the same layer-2 segment: a task's address moves with the task. Immutable.
/// </summary>
public sealed record Subnet
{
    public required string Id { get; init; }
    public required uint Network { get; init; }
    public required int PrefixLength { get; init; }
    public required uint First { get; init; }
    public required uint Last { get; init; }
    public required uint Gateway { get; init; }
    public string? Cluster { get; init; }
    /// <summary>The cluster query expression selecting the instances it serves (already checked); null: all.</summary>
    public string? Hosts { get; init; }

    public string Cidr => $"{Ipv4.Format(Network)}/{PrefixLength}";

    /// <summary>The addresses tasks may have, as <c>first-last</c>.</summary>
    public string Range => $"{Ipv4.Format(First)}-{Ipv4.Format(Last)}";

    /// <summary>How many addresses tasks may have.</summary>
    public int Size => (int)(Last - First + 1) - (Contains(Gateway) ? 1 : 0);

    /// <summary>Whether <paramref name="address"/> is one a task may have.</summary>
    public bool Contains(uint address) => address >= First && address <= Last;

    /// <summary>The addresses tasks may have, lowest first.</summary>
    public IEnumerable<uint> Addresses()
    {
        for (var address = First; address <= Last && address >= First; address++)
        {
            if (address != Gateway)
            {
                yield return address;
            }

            if (address == uint.MaxValue)
            {
                yield break;
            }
        }
    }
}
