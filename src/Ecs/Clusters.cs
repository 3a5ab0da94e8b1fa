namespace Orchestrator.Ecs;

/// <summary>ECS's cluster conventions, shared by the control plane, the agent and the CLI.</summary>
public static class Clusters
{
    /// <summary>The cluster a request or an agent means when it names none, as in ECS.</summary>
    public const string DefaultName = "default";
}
