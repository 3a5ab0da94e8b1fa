namespace Orchestrator.ControlPlane.Scheduling.Filters;

internal sealed class CpuFilter(int needed) : IPlacementFilter
{
    public string Reason => PlacementReasons.Cpu;

    public bool Passes(in InstanceState instance) => needed <= instance.Cpu;

    public string Detail(in InstanceState instance) =>
        $"The task needs {needed} CPU units; the container instance has {instance.Cpu} left.";

    public string Summary(int count) => $"{count} lacked CPU (the task needs {needed} units)";
}
