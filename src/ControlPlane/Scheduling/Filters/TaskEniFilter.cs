namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>An awsvpc task takes one of the instance's task network interface slots (its agent's awsvpc task limit).</summary>
internal sealed class TaskEniFilter : IPlacementFilter
{
    public static TaskEniFilter Instance { get; } = new();

    public string Reason => PlacementReasons.Eni;

    public bool Passes(in InstanceState instance) => instance.TaskEniSlots > 0;

    public string Detail(in InstanceState instance) => instance.Snapshot.TaskEniLimit == 0
        ? "The container instance does not run awsvpc tasks (its agent has no --awsvpc-interface)."
        : $"The container instance has no free awsvpc task slot: it runs at most {instance.Snapshot.TaskEniLimit} awsvpc tasks.";

    public string Summary(int count) => $"{count} had no free awsvpc task slot";
}
