namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>Memory as ECS reserves it: the hard limit, else the reservation (see TaskRequirements).</summary>
internal sealed class MemoryFilter(int neededMiB) : IPlacementFilter
{
    public string Reason => PlacementReasons.Memory;

    public bool Passes(in InstanceState instance) => neededMiB <= instance.MemoryMiB;

    public string Detail(in InstanceState instance) =>
        $"The task needs {neededMiB} MiB of memory; the container instance has {instance.MemoryMiB} MiB left.";

    public string Summary(int count) => $"{count} lacked memory (the task needs {neededMiB} MiB)";
}
