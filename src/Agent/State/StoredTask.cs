using System.Collections.Immutable;

namespace Orchestrator.Agent.State;

/// <summary>
/// Everything the agent knows about one task: the command it came from, desired and known status, and its
/// containers. Immutable; the state machine returns a new record for every change, and the store persists it.
/// </summary>
public sealed record StoredTask
{
    public required string TaskArn { get; init; }
    public required string ClusterArn { get; init; }
    public required string TaskDefinitionJson { get; init; }
    public string OverridesJson { get; init; } = "";
    /// <summary><see cref="LifecycleStatus.Running"/> or <see cref="LifecycleStatus.Stopped"/>.</summary>
    public LifecycleStatus DesiredStatus { get; init; } = LifecycleStatus.Running;
    public LifecycleStatus KnownStatus { get; init; } = LifecycleStatus.None;
    /// <summary>Set when the desired status becomes STOPPED; reported once the task has stopped.</summary>
    public string? StopCode { get; init; }
    public string? StoppedReason { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset? PullStartedAt { get; init; }
    public DateTimeOffset? PullStoppedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? ExecutionStoppedAt { get; init; }
    /// <summary>awsvpc tasks: the address the control plane gave the task; null for other network modes.</summary>
    public TaskNetworkRecord? Network { get; init; }
    public ImmutableList<ContainerRecord> Containers { get; init; } = [];
    /// <summary>How many times a picked host port turned out to be taken; past a few the task gives up. Not stored: a restart starts again.</summary>
    public int HostPortRetries { get; init; }

    public ContainerRecord? Container(string name) => Containers.Find(c => c.Name == name);

    public StoredTask WithContainer(ContainerRecord container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var index = Containers.FindIndex(c => c.Name == container.Name);
        return index < 0 ? this : this with { Containers = Containers.SetItem(index, container) };
    }
}

/// <summary>One container of a task as the agent knows it.</summary>
public sealed record ContainerRecord
{
    public required string Name { get; init; }
    public bool Essential { get; init; } = true;
    /// <summary>The Docker name chosen before creating the container, so a restart can find it even without the ID.</summary>
    public string? DockerName { get; init; }
    public string? RuntimeId { get; init; }
    public LifecycleStatus KnownStatus { get; init; } = LifecycleStatus.None;
    public int? ExitCode { get; init; }
    public string? Reason { get; init; }
    public string? ImageDigest { get; init; }
    public ImmutableList<BindingRecord> NetworkBindings { get; init; } = [];
    /// <summary>When the container was first seen running; dependency start timeouts count from here.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>
    /// ECS's healthStatus (HEALTHY, UNHEALTHY, UNKNOWN) for a container with a health check; null for one without,
    /// which ECS shows as UNKNOWN and which does not count towards the task's health.
    /// </summary>
    public string? Health { get; init; }
    /// <summary>The host ports the agent picked for this container's dynamic port mappings, saved before creating it.</summary>
    public ImmutableList<PortAssignment> HostPorts { get; init; } = [];
    /// <summary>The GPUs placement gave the container.</summary>
    public ImmutableList<string> GpuIds { get; init; } = [];
    /// <summary>The container's own address on a task network, as Docker gave it (an awsvpc task's pause container).</summary>
    public string? Ipv4Address { get; init; }
    public string? MacAddress { get; init; }
}

/// <summary>An awsvpc task's address, from its RunTask command (see the agent protocol's TaskNetwork).</summary>
public sealed record TaskNetworkRecord(string AttachmentId, string SubnetId, string Ipv4Address, int PrefixLength, string Gateway);

/// <summary>A container's address on a task network, as Docker reports it.</summary>
public sealed record InterfaceAddress(string Ipv4Address, string MacAddress);

public sealed record BindingRecord(string BindIp, int ContainerPort, int HostPort, string Protocol);

/// <summary>A host port the agent picked for a port mapping without a static host port.</summary>
public sealed record PortAssignment(int ContainerPort, string Protocol, int HostPort);
