namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>
/// One check an instance must pass to take the task (swarmkit's filter): it says whether the instance passes, why
/// not in a sentence about that instance, and what a number of failing instances had in common.
/// </summary>
internal interface IPlacementFilter
{
    /// <summary>The ECS failure reason, e.g. <c>RESOURCE:MEMORY</c>.</summary>
    string Reason { get; }

    bool Passes(in InstanceState instance);

    /// <summary>Why <paramref name="instance"/> fails, e.g. "The task needs 600 MiB of memory; … 424 MiB left."</summary>
    string Detail(in InstanceState instance);

    /// <summary>What <paramref name="count"/> failing instances had, e.g. "3 lacked memory".</summary>
    string Summary(int count);
}

/// <summary>
/// An instance during one placement: the snapshot plus what the request has taken from it so far.
/// <see cref="Index"/> is its position in the snapshot; <see cref="GroupTasks"/> counts the request's group, tasks
/// placed by this request included.
/// </summary>
internal readonly record struct InstanceState(
    int Index, InstanceSnapshot Snapshot, int Cpu, int MemoryMiB, int Gpus, int TaskEniSlots, int PlacedHere, int GroupTasks,
    int DynamicTcpPorts = InstanceSnapshot.Unlimited, int DynamicUdpPorts = InstanceSnapshot.Unlimited);
