namespace Orchestrator.ControlPlane.Scheduling;

/// <summary>
/// One container instance as placement sees it at one moment: identity, status, the subjects of the cluster query
/// language, what it has left, and how many tasks of each group it runs. Immutable; placement never changes it.
/// </summary>
public sealed record InstanceSnapshot
{
    /// <summary>The value of <see cref="FreeTaskEniSlots"/> on hosts with no awsvpc slot limit.</summary>
    public const int Unlimited = int.MaxValue;

    public required string Arn { get; init; }
    /// <summary>The container instance ID (the last segment of the ARN).</summary>
    public required string Id { get; init; }
    public string? Ec2InstanceId { get; init; }
    public required string Status { get; init; }
    public bool AgentConnected { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    public string? AgentVersion { get; init; }

    /// <summary>Attribute name to value; capabilities registered without a value map to null.</summary>
    public IReadOnlyDictionary<string, string?> Attributes { get; init; } = Empty.Attributes;

    public int RemainingCpu { get; init; }
    public int RemainingMemoryMiB { get; init; }
    /// <summary>Reserved ports and the static host ports of the instance's tasks.</summary>
    public IReadOnlySet<int> UsedTcpPorts { get; init; } = Empty.Ports;
    public IReadOnlySet<int> UsedUdpPorts { get; init; } = Empty.Ports;
    public IReadOnlyList<string> FreeGpuIds { get; init; } = [];
    public int FreeTaskEniSlots { get; init; } = Unlimited;
    /// <summary>How many awsvpc tasks the instance runs at once; 0 when it offers no awsvpc networking.</summary>
    public int TaskEniLimit { get; init; } = Unlimited;

    /// <summary>Ports of the agent's dynamic range that bridge mappings without a host port can still get, per protocol.</summary>
    public int FreeDynamicTcpPorts { get; init; } = Unlimited;
    public int FreeDynamicUdpPorts { get; init; } = Unlimited;
    /// <summary>The agent's dynamic port range, <c>first-last</c>, for explanations; null when it did not say.</summary>
    public string? DynamicPortRange { get; init; }

    /// <summary>The subnets that serve the instance (awsvpc tasks placed on it take an address from one), in configuration order.</summary>
    public IReadOnlyList<string> SubnetIds { get; init; } = [];

    /// <summary>Tasks on the instance that are placed and not yet STOPPED (PENDING ones count).</summary>
    public int RunningTasksCount { get; init; }
    /// <summary>Task group to the number of such tasks in it.</summary>
    public IReadOnlyDictionary<string, int> TaskGroups { get; init; } = Empty.Groups;

    public int GroupCount(string? group) => group is not null && TaskGroups.TryGetValue(group, out var n) ? n : 0;

    private static class Empty
    {
        public static readonly IReadOnlyDictionary<string, string?> Attributes = new Dictionary<string, string?>(StringComparer.Ordinal);
        public static readonly IReadOnlySet<int> Ports = new HashSet<int>();
        public static readonly IReadOnlyDictionary<string, int> Groups = new Dictionary<string, int>(StringComparer.Ordinal);
    }
}
