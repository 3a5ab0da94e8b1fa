namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>A subnet as placement sees it: how many addresses it has left, shared by every instance it serves.</summary>
public sealed record SubnetSnapshot(string Id, string Range, int FreeAddresses);
