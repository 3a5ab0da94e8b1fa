using CsCheck;
using Orchestrator.ControlPlane.Scheduling;
using static Orchestrator.ControlPlane.Tests.Scheduling.Hosts;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

/// <summary>Invariants over generated clusters and requests.</summary>
public sealed class PlacementPropertyTests
{
    private static readonly string[] Zones = ["a", "b", "c"];

    private static readonly Gen<InstanceSnapshot[]> GenHosts =
        Gen.Select(Gen.Int[0, 4096], Gen.Int[0, 8192], Gen.Int[0, 2], Gen.Int[0, 3], Gen.Bool, Gen.Int[0, 4])
            .Array[1, 12]
            .Select(specs => specs.Select((s, i) => Host(
                $"h{i:D2}",
                cpu: s.Item1,
                memory: s.Item2,
                attributes: Attrs(("zone", Zones[s.Item3])),
                groups: Groups(("g", s.Item4)),
                tcp: s.Item5 ? [22, 8080] : [22],
                connected: s.Item6 != 0)).ToArray());

    private static readonly Gen<(string, string?)[]> GenStrategies = Gen.OneOf<(string, string?)>(
            ("random", null), ("binpack", "cpu"), ("binpack", "memory"), ("spread", "instanceId"), ("spread", "attribute:zone"))
        .Array[0, 3];

    [Fact]
    public void Place_AnyRequest_NeverOversubscribesAnInstance() =>
        Gen.Select(GenHosts, Gen.Int[0, 1024], Gen.Int[1, 2048], Gen.Bool, Gen.Int[1, 40], GenStrategies, Gen.ULong)
            .Sample((hosts, cpu, memory, port, count, strategies, seed) =>
            {
                var needs = Needs(cpu, memory, tcp: port ? [8080] : []);
                var result = Place(Snapshot(hosts), count, needs, Rules(strategies: strategies), "g", seed);

                foreach (var host in hosts)
                {
                    var n = result.InstanceArns.Count(a => a == host.Arn);
                    Assert.True(n * cpu <= host.RemainingCpu && n * memory <= host.RemainingMemoryMiB, $"{host.Id} got {n}");
                    Assert.True(n == 0 || (host.AgentConnected && (!port || (n == 1 && !host.UsedTcpPorts.Contains(8080)))), $"{host.Id} got {n}");
                }

                // Tasks are identical, so the engine stops only when no instance can take one more.
                var capacity = hosts.Where(h => h.AgentConnected).Sum(h => port && h.UsedTcpPorts.Contains(8080) ? 0 : Fits(h, cpu, memory, port));
                Assert.Equal(Math.Min(count, capacity), result.InstanceArns.Count);
                Assert.Equal(count - result.InstanceArns.Count, result.Unplaced.Count);
            }, iter: 300);

    [Fact]
    public void Place_DistinctInstance_NeverDoublesUp() =>
        Gen.Select(GenHosts, Gen.Int[1, 20], GenStrategies, Gen.ULong)
            .Sample((hosts, count, strategies, seed) =>
            {
                var result = Place(Snapshot(hosts), count, Needs(1, 1), Rules(distinct: true, strategies: strategies), "g", seed);

                Assert.Equal(result.InstanceArns.Count, result.InstanceArns.Distinct().Count());
                Assert.All(result.InstanceArns, arn => Assert.Equal(0, hosts.Single(h => h.Arn == arn).GroupCount("g")));
            }, iter: 300);

    [Fact]
    public void Place_SpreadWithRoom_KeepsValuesWithinOneOfEachOther() =>
        Gen.Select(Gen.Int[0, 2].Array[1, 10], Gen.Int[1, 60], Gen.Bool, Gen.ULong)
            .Sample((zones, count, byZone, seed) =>
            {
                var hosts = zones.Select((z, i) => Host($"h{i:D2}", attributes: Attrs(("zone", Zones[z])))).ToArray();
                var strategy = byZone ? ("spread", "attribute:zone") : ("spread", (string?)"instanceId");
                var result = Place(Snapshot(hosts), count, Needs(1, 1), Rules(strategies: [strategy, ("random", null)]), "g", seed);

                var counts = byZone
                    ? hosts.GroupBy(h => h.Attributes["zone"]).Select(g => g.Sum(h => result.InstanceArns.Count(a => a == h.Arn)))
                    : hosts.Select(h => result.InstanceArns.Count(a => a == h.Arn));
                var list = counts.ToList();
                Assert.Equal(count, result.InstanceArns.Count);
                Assert.True(list.Max() - list.Min() <= 1, string.Join(",", list));
            }, iter: 300);

    [Fact]
    public void Place_SameInput_GivesTheSamePlan() =>
        Gen.Select(GenHosts, Gen.Int[1, 20], GenStrategies, Gen.ULong)
            .Sample((hosts, count, strategies, seed) =>
            {
                var rules = Rules(strategies: strategies);
                Assert.Equal(
                    Place(Snapshot(hosts), count, rules: rules, seed: seed).InstanceArns,
                    Place(Snapshot(hosts.Reverse().ToArray()), count, rules: rules, seed: seed).InstanceArns);
            }, iter: 200);

    private static int Fits(InstanceSnapshot host, int cpu, int memory, bool port)
    {
        var n = Math.Min(cpu == 0 ? int.MaxValue : host.RemainingCpu / cpu, host.RemainingMemoryMiB / memory);
        return port ? Math.Min(n, 1) : n;
    }
}
