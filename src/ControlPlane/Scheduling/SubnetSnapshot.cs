using Orchestrator.ControlPlane.Networking;

namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// A subnet as placement sees it: how many addresses it has left, shared by every instance it serves, and — when
/// built from state — the subnet itself and the addresses taken, so placement can choose each awsvpc task's address
/// (the lowest free one) as part of its plan.
/// </summary>
public sealed record SubnetSnapshot(string Id, string Range, int FreeAddresses)
{
    /// <summary>The configured subnet; null in snapshots made by hand, where placement counts addresses but picks none.</summary>
    public Subnet? Source { get; init; }

    /// <summary>Addresses held by tasks (of any subnet).</summary>
    public IReadOnlySet<uint> Taken { get; init; } = new HashSet<uint>();

    /// <summary>The free addresses, lowest first.</summary>
    public IEnumerable<uint> Free() => Source is null ? [] : Source.Addresses().Where(a => !Taken.Contains(a));

    public static SubnetSnapshot Of(Subnet subnet, IReadOnlySet<uint> taken)
    {
        ArgumentNullException.ThrowIfNull(subnet);
        ArgumentNullException.ThrowIfNull(taken);
        var used = taken.Count(subnet.Contains);
        return new SubnetSnapshot(subnet.Id, subnet.Range, subnet.Size - used) { Source = subnet, Taken = taken };
    }
}
