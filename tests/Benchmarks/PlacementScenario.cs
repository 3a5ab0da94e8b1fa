using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Benchmarks;

/// <summary>
/// The benchmark's cluster and request: instances over three zones and four instance types, some already running
/// tasks of the group; tasks constrained to two instance types (memberOf), spread over zones, packed by memory.
/// Everything derives from a fixed seed, so every run places the same tasks on the same cluster.
/// </summary>
public sealed class PlacementScenario
{
    public const int Tasks = 10_000;
    public const string MemberOf = "attribute:ecs.instance-type =~ m5\\..* or attribute:ecs.instance-type == c5.xlarge";

    private static readonly string[] Zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    private static readonly string[] Types = ["m5.large", "m5.xlarge", "c5.xlarge", "t3.medium"];

    public PlacementScenario(int instances)
    {
        var random = new Random(instances);
        Snapshot = new ClusterSnapshot(Enumerable.Range(0, instances).Select(i => new InstanceSnapshot
        {
            Arn = $"arn:aws:ecs:us-east-1:123456789012:container-instance/bench/{i:x32}",
            Id = $"{i:x32}",
            Ec2InstanceId = $"i-{i:x17}",
            Status = ContainerInstanceStatus.Active,
            AgentConnected = true,
            AgentVersion = "1.51.0",
            Attributes = new Dictionary<string, string?>
            {
                ["ecs.availability-zone"] = Zones[random.Next(Zones.Length)],
                ["ecs.instance-type"] = Types[random.Next(Types.Length)],
                ["ecs.os-type"] = "linux",
                ["ecs.capability.task-eni"] = null,
            },
            RemainingCpu = 65_536,
            RemainingMemoryMiB = 262_144 - (random.Next(64) * 1024),
            UsedTcpPorts = new HashSet<int> { 22, 2375, 2376, 51678, 51679 },
            TaskGroups = new Dictionary<string, int> { ["service:web"] = random.Next(3), ["service:db"] = random.Next(2) },
            RunningTasksCount = 2,
        }));
        Rules = PlacementValidation.Validate(
            [new PlacementConstraint(PlacementConstraintTypes.MemberOf, MemberOf)],
            [new PlacementStrategy(PlacementStrategyTypes.Spread, "attribute:ecs.availability-zone"), new PlacementStrategy(PlacementStrategyTypes.Binpack, "memory")]);
    }

    public ClusterSnapshot Snapshot { get; }

    public PlacementRules Rules { get; }

    public static TaskRequirements Needs { get; } = new(16, 64, [], []);

    /// <summary>All tasks in one request, as a service scaling out or a batch would ask.</summary>
    public PlacementResult PlaceAll() => Check(PlacementEngine.Place(Snapshot, new PlacementRequest(Needs, Tasks, "service:web", Rules, 7)), Tasks);

    /// <summary>The same tasks as RunTask-sized requests of 10, each against the snapshot (setup cost per request).</summary>
    public int PlaceInBatchesOf10()
    {
        var placed = 0;
        for (var n = 0; n < Tasks / 10; n++)
        {
            placed += Check(PlacementEngine.Place(Snapshot, new PlacementRequest(Needs, 10, "service:web", Rules, (ulong)n)), 10).InstanceArns.Count;
        }

        return placed;
    }

    private static PlacementResult Check(PlacementResult result, int expected) =>
        result.InstanceArns.Count == expected ? result : throw new InvalidOperationException($"Placed {result.InstanceArns.Count} of {expected}: {result.Unplaced[0].Explanation}");
}
