using Orchestrator.Agent.State;

namespace Orchestrator.Agent.Engine;

/// <summary>Something that happened to a task or one of its containers; <see cref="TaskStateMachine.Apply"/> folds it in.</summary>
public abstract record TaskEvent;

/// <summary>The container's image is present locally (found or pulled).</summary>
public sealed record ImageReady(string Container, string? ImageDigest) : TaskEvent;

public sealed record ContainerCreated(string Container, string RuntimeId) : TaskEvent;

/// <summary>
/// The container is running (just started, found running after a restart, or its health changed), with its published
/// ports and ECS health status (null: Docker reports no health check), and its address on a task network if it has one.
/// </summary>
public sealed record ContainerRunning(
    string Container, string RuntimeId, IReadOnlyList<BindingRecord> Bindings, string? Health = null, InterfaceAddress? Address = null) : TaskEvent;

/// <summary>The container has stopped (exited, was stopped, or vanished); <see cref="ExitCode"/> when Docker knows it.</summary>
public sealed record ContainerStopped(string Container, int? ExitCode, string? Reason, string? RuntimeId = null) : TaskEvent;

/// <summary>
/// Pulling, creating or starting the container failed; <see cref="Reason"/> is ECS-style (<c>CannotPullContainerError: …</c>).
/// A failure that <see cref="StopsTask"/> (no host port left, a volume missing) stops the task even when the container
/// is not essential.
/// </summary>
public sealed record ContainerFailed(string Container, string Reason, bool StopsTask = false) : TaskEvent;

/// <summary>
/// Starting the container failed because a host port the agent picked for it was taken meanwhile (by a process or
/// container the agent does not know). The container is made again with other ports.
/// </summary>
public sealed record HostPortTaken(string Container, int HostPort) : TaskEvent;

/// <summary>The task should stop (StopTask from the control plane).</summary>
public sealed record StopRequested(string StopCode, string Reason) : TaskEvent;
