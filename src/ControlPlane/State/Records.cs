using System.Text.Json.Serialization;
using Orchestrator.Ecs.Model;
using Attribute = Orchestrator.Ecs.Model.Attribute;

namespace Orchestrator.ControlPlane.State;

// The entities the control plane stores. Tasks and task definitions are kept in ECS's own shape; clusters and
// container instances keep only what is not derived (counts and remaining resources are computed when read).

public sealed record ClusterRecord
{
    public required string Name { get; init; }
    public required string Arn { get; init; }
    public string Status { get; init; } = ClusterStatus.Active;
    public IReadOnlyList<NameValuePair> Settings { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The capacity providers attached to the cluster (names), PutClusterCapacityProviders' list.</summary>
    public IReadOnlyList<string> CapacityProviders { get; init; } = [];
    /// <summary>The strategy of RunTask and CreateService calls that give neither a launch type nor a strategy.</summary>
    public IReadOnlyList<CapacityProviderStrategyItem> DefaultCapacityProviderStrategy { get; init; } = [];
}

/// <summary>What a host registered with: CPU units, memory in MiB and the ports no task may take.</summary>
public sealed record HostCapacity(int Cpu, int MemoryMiB, IReadOnlyList<int> ReservedTcpPorts, IReadOnlyList<int> ReservedUdpPorts)
{
    /// <summary>The first port of the range the agent picks dynamic host ports from; 0 when the agent did not say.</summary>
    public int DynamicPortFirst { get; init; }

    /// <summary>The last port of that range, inclusive.</summary>
    public int DynamicPortLast { get; init; }

    /// <summary>The IDs of the host's GPUs.</summary>
    public IReadOnlyList<string> GpuIds { get; init; } = [];

    /// <summary>How many awsvpc tasks the host runs at once (its task network interfaces); 0: it offers no awsvpc.</summary>
    public int AwsvpcTaskLimit { get; init; }

    /// <summary>Whether the agent told its dynamic port range.</summary>
    [JsonIgnore]
    public bool HasDynamicPortRange => DynamicPortFirst > 0 && DynamicPortLast >= DynamicPortFirst;
}

public sealed record InstanceRecord
{
    public required string Arn { get; init; }
    public required string ClusterName { get; init; }
    public string? Ec2InstanceId { get; init; }
    public string? Hostname { get; init; }
    /// <summary>The address its agent registered from, as the control plane saw it: where bridge and host tasks' ports answer.</summary>
    public string? Address { get; init; }
    public required HostCapacity Registered { get; init; }
    /// <summary>The attributes the agent registered with (built-in ones and those of its configuration).</summary>
    public IReadOnlyList<Attribute> Attributes { get; init; } = [];
    /// <summary>Attributes set with PutAttributes; they win over the agent's of the same name.</summary>
    public IReadOnlyList<Attribute> CustomAttributes { get; init; } = [];
    public string Status { get; init; } = ContainerInstanceStatus.Active;
    public VersionInfo? VersionInfo { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    public long Version { get; init; }
    /// <summary>The highest agent state-change sequence number applied; lower or equal numbers are not applied again.</summary>
    public ulong LastSequence { get; init; }

    [JsonIgnore]
    public string Id => Arn[(Arn.LastIndexOf('/') + 1)..];

    /// <summary>The agent's attributes with PutAttributes' ones applied on top.</summary>
    [JsonIgnore]
    public IReadOnlyList<Attribute> EffectiveAttributes => CustomAttributes.Count == 0
        ? Attributes
        : [.. Attributes.Where(a => CustomAttributes.All(c => c.Name != a.Name)), .. CustomAttributes];
}

public sealed record TaskRecord
{
    public required string ClusterName { get; init; }
    public required EcsTask Task { get; init; }
    /// <summary>What the task holds on its instance until it is STOPPED.</summary>
    public required TaskRequirements Reserved { get; init; }

    /// <summary>The address an awsvpc task got from its subnet at placement; held until the task is STOPPED.</summary>
    public TaskAddress? Address { get; init; }

    /// <summary>
    /// The control plane stopped the task without its agent's word (its instance was lost): the host may still run it,
    /// so its address stays taken until the agent says the task has stopped, or the instance is deregistered.
    /// </summary>
    public bool AwaitingAgentStop { get; init; }

    /// <summary>The RunTask <c>clientToken</c> of the call that created the task: a call repeating it gets this task back.</summary>
    public string? ClientToken { get; init; }

    /// <summary>For service tasks: the service scheduler has counted this task's stop (failure or not).</summary>
    public bool StopAccounted { get; init; }

    /// <summary>For service tasks: the service scheduler has seen this task healthy.</summary>
    public bool SeenHealthy { get; init; }

    /// <summary>
    /// Scale-in protection (UpdateTaskProtection) until this time: the service scheduler neither scales it in nor
    /// replaces it in a deployment meanwhile. Null when not protected.
    /// </summary>
    public DateTimeOffset? ProtectedUntil { get; init; }

    /// <summary>
    /// A task stopped while registered in a load balancer's target group: out of rotation, its agent is told to stop it
    /// only at this time (the target group's deregistration delay). Null otherwise, and once the stop is sent.
    /// </summary>
    public DateTimeOffset? DrainingUntil { get; init; }

    /// <summary>
    /// What happened to the task that its ECS fields do not show (health changes, containers exiting, commands run in
    /// it), oldest first, the last <see cref="MaxEvents"/> only. Its lifecycle times are in <see cref="Task"/>.
    /// </summary>
    public IReadOnlyList<TaskEvent> Events { get; init; } = [];

    public const int MaxEvents = 50;

    [JsonIgnore]
    public string Arn => Task.TaskArn;
    [JsonIgnore]
    public string Id => Arn[(Arn.LastIndexOf('/') + 1)..];
    [JsonIgnore]
    public bool HoldsResources => Task.ContainerInstanceArn is not null && Task.LastStatus != TaskStatus.Stopped;

    /// <summary>Whether the task's address is taken: while it holds resources, and after that while its agent may still run it.</summary>
    [JsonIgnore]
    public bool HoldsAddress => Address is not null && (HoldsResources || (AwaitingAgentStop && Task.ContainerInstanceArn is not null));
}

/// <summary>One entry of a task's events: when, and what happened in words a user reads.</summary>
public sealed record TaskEvent(DateTimeOffset At, string Message);

public static class TaskEvents
{
    /// <summary>The task with <paramref name="message"/> appended to its events (the oldest dropped past the limit).</summary>
    public static TaskRecord WithEvent(this TaskRecord task, DateTimeOffset at, string message)
    {
        ArgumentNullException.ThrowIfNull(task);
        var events = task.Events.Count >= TaskRecord.MaxEvents ? task.Events.Skip(task.Events.Count - TaskRecord.MaxEvents + 1) : task.Events;
        return task with { Events = [.. events, new TaskEvent(at, message)] };
    }
}

/// <summary>
/// The address of an awsvpc task: chosen from <see cref="SubnetId"/>'s range in the write that creates the task, and
/// given back when the task is STOPPED. <see cref="AttachmentId"/> names the task's network interface (ECS's
/// attachment of type ElasticNetworkInterface).
/// </summary>
public sealed record TaskAddress(string SubnetId, string Ipv4Address, int PrefixLength, string Gateway, string AttachmentId);
