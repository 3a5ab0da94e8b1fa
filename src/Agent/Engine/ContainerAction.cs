namespace Orchestrator.Agent.Engine;

/// <summary>A Docker operation the state machine asks for; the engine runs it and feeds the outcome back as a <see cref="TaskEvent"/>.</summary>
public sealed record ContainerAction(string Container, ContainerActionKind Kind);

public enum ContainerActionKind
{
    /// <summary>Make the image present: inspect, and pull only when missing (→ PULLED).</summary>
    Pull,
    /// <summary>Create the container (→ CREATED).</summary>
    Create,
    /// <summary>Start it and read back its port bindings (→ RUNNING).</summary>
    Start,
    /// <summary>SIGTERM, then SIGKILL after the stop timeout (→ STOPPED).</summary>
    Stop,
}
