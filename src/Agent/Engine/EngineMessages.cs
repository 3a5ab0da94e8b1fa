using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Engine;

/// <summary>What the engine's loop processes, one at a time; everything that changes task state goes through it.</summary>
internal abstract record EngineMessage;

internal sealed record RunTaskMessage(RunTaskCommand Command) : EngineMessage;

internal sealed record StopTaskMessage(string TaskArn, string Reason) : EngineMessage;

/// <summary>A Docker operation finished; <see cref="Outcome"/> null means it failed in a way worth retrying later.</summary>
internal sealed record ActionCompleted(string TaskArn, string Container, TaskEvent? Outcome) : EngineMessage;

/// <summary>Docker said something happened to a container (die, stop, oom, health_status).</summary>
internal sealed record DockerEventReceived(ContainerEvent Event) : EngineMessage;

/// <summary>A container was inspected; null when Docker no longer has it.</summary>
internal sealed record ContainerInspected(string TaskArn, string Container, ContainerInspection? Inspection) : EngineMessage;

/// <summary>The event stream (re)connected: inspect every live container so nothing that happened meanwhile is missed.</summary>
internal sealed record ResyncRequested : EngineMessage;

/// <summary>Periodic: retry operations that failed, remove the containers of tasks stopped long enough ago.</summary>
internal sealed record SweepDue : EngineMessage;

internal sealed record CleanupCompleted(string TaskArn, bool Succeeded) : EngineMessage;

/// <summary>A task asked to be looked at again (a dependency's start timeout is due).</summary>
internal sealed record WakeDue(string TaskArn) : EngineMessage;
