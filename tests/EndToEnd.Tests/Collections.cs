namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// How this program's test classes share the machine. Classes run two at a time (xunit.runner.json), each on its own
/// control plane, agent ports and dynamic port slice (<see cref="LocalCluster"/>); the lab's classes take turns, as
/// there is one lab bridge (and the lab's own lock); <see cref="AloneCollection"/> runs with nothing beside it.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LabCollection
{
    public const string Name = "Lab";
}

/// <summary>Classes that load the whole machine (a request flood): nothing else runs while they do.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "Alone";
}
