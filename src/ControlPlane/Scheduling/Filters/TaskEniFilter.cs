namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>An awsvpc task takes one of the instance's task network interface slots.</summary>
internal sealed class TaskEniFilter : IPlacementFilter
{
    public static TaskEniFilter Instance { get; } = new();

    public string Reason => PlacementReasons.Eni;

    public bool Passes(in InstanceState instance) => instance.TaskEniSlots > 0;

    public string Detail(in InstanceState instance) => "The container instance has no free awsvpc task slot.";

    public string Summary(int count) => $"{count} had no free awsvpc task slot";
}
