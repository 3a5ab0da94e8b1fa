namespace Orchestrator.ControlPlane.Scheduling.Filters;

internal sealed class GpuFilter(int needed) : IPlacementFilter
{
    public string Reason => PlacementReasons.Gpu;

    public bool Passes(in InstanceState instance) => needed <= instance.Gpus;

    public string Detail(in InstanceState instance) =>
        $"The task needs {needed} GPU{(needed == 1 ? "" : "s")}; the container instance has {instance.Gpus} free.";

    public string Summary(int count) => $"{count} lacked GPUs (the task needs {needed})";
}
