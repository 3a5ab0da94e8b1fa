using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

/// <summary>Builds instance snapshots and requests for placement tests.</summary>
internal static class Hosts
{
    public const string Cluster = "arn:aws:ecs:us-east-1:123456789012:container-instance/default/";

    public static InstanceSnapshot Host(
        string id,
        int cpu = 4096,
        int memory = 8192,
        string status = ContainerInstanceStatus.Active,
        bool connected = true,
        IReadOnlyDictionary<string, string?>? attributes = null,
        IReadOnlyDictionary<string, int>? groups = null,
        int[]? tcp = null,
        int[]? udp = null,
        int gpus = 0,
        int eniSlots = InstanceSnapshot.Unlimited,
        int? eniLimit = null,
        int dynamicTcp = InstanceSnapshot.Unlimited,
        int dynamicUdp = InstanceSnapshot.Unlimited,
        string[]? subnets = null,
        string? agentVersion = "1.51.0",
        string? ec2InstanceId = null,
        DateTimeOffset? registeredAt = null,
        int? runningTasks = null) => new()
        {
            Arn = Cluster + id,
            Id = id,
            Ec2InstanceId = ec2InstanceId,
            Status = status,
            AgentConnected = connected,
            RegisteredAt = registeredAt ?? new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero),
            AgentVersion = agentVersion,
            Attributes = attributes ?? new Dictionary<string, string?>(),
            RemainingCpu = cpu,
            RemainingMemoryMiB = memory,
            UsedTcpPorts = new HashSet<int>(tcp ?? [22]),
            UsedUdpPorts = new HashSet<int>(udp ?? []),
            FreeGpuIds = Enumerable.Range(0, gpus).Select(g => $"GPU-{id}-{g}").ToList(),
            FreeTaskEniSlots = eniSlots,
            TaskEniLimit = eniLimit ?? eniSlots,
            FreeDynamicTcpPorts = dynamicTcp,
            FreeDynamicUdpPorts = dynamicUdp,
            DynamicPortRange = dynamicTcp == InstanceSnapshot.Unlimited && dynamicUdp == InstanceSnapshot.Unlimited ? null : "49153-65535",
            SubnetIds = subnets ?? [DefaultSubnet],
            RunningTasksCount = runningTasks ?? groups?.Values.Sum() ?? 0,
            TaskGroups = groups ?? new Dictionary<string, int>(),
        };

    public static Dictionary<string, string?> Attrs(params (string Name, string? Value)[] pairs) =>
        pairs.ToDictionary(p => p.Name, p => p.Value);

    public static Dictionary<string, int> Groups(params (string Group, int Count)[] pairs) =>
        pairs.ToDictionary(p => p.Group, p => p.Count);

    /// <summary>The subnet every host is in unless told otherwise, with addresses to spare.</summary>
    public const string DefaultSubnet = "subnet-test";

    public static ClusterSnapshot Snapshot(params InstanceSnapshot[] instances) =>
        new(instances, [new SubnetSnapshot(DefaultSubnet, "10.0.0.2-10.0.255.254", 65533)]);

    public static ClusterSnapshot Snapshot(IEnumerable<SubnetSnapshot> subnets, params InstanceSnapshot[] instances) => new(instances, subnets);

    public static TaskRequirements Needs(
        int cpu = 256, int memory = 512, int[]? tcp = null, int[]? udp = null, int gpus = 0, bool eni = false, int dynamicTcp = 0, int dynamicUdp = 0) =>
        new(cpu, memory, tcp ?? [], udp ?? []) { GpuCount = gpus, UsesTaskEni = eni, DynamicTcpPorts = dynamicTcp, DynamicUdpPorts = dynamicUdp };

    public static PlacementRules Rules(string? memberOf = null, bool distinct = false, params (string Type, string? Field)[] strategies)
    {
        var constraints = new List<PlacementConstraint>();
        if (distinct)
        {
            constraints.Add(new PlacementConstraint(PlacementConstraintTypes.DistinctInstance));
        }

        if (memberOf is not null)
        {
            constraints.Add(new PlacementConstraint(PlacementConstraintTypes.MemberOf, memberOf));
        }

        return PlacementValidation.Validate(constraints, strategies.Select(s => new PlacementStrategy(s.Type, s.Field)).ToList());
    }

    public static PlacementResult Place(
        ClusterSnapshot snapshot, int count = 1, TaskRequirements? needs = null, PlacementRules? rules = null, string? group = "family:web", ulong seed = 1,
        IReadOnlyList<string>? subnets = null) =>
        PlacementEngine.Place(snapshot, new PlacementRequest(needs ?? Needs(), count, group, rules ?? PlacementRules.None, seed) { Subnets = subnets });

    /// <summary>The IDs of the instances the tasks went to, in order.</summary>
    public static List<string> Ids(this PlacementResult result) => result.InstanceArns.Select(a => a[(a.LastIndexOf('/') + 1)..]).ToList();
}
