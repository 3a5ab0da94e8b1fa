namespace Orchestrator.ControlPlane.Scheduling.Filters;

/// <summary>A task goes only where an agent is connected to start it.</summary>
internal sealed class AgentFilter : IPlacementFilter
{
    public static AgentFilter Instance { get; } = new();

    public string Reason => PlacementReasons.Agent;

    public bool Passes(in InstanceState instance) => instance.Snapshot.AgentConnected;

    public string Detail(in InstanceState instance) => "The container instance's agent is not connected.";

    public string Summary(int count) => $"{count} had no connected agent";
}
