using CsCheck;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.ControlPlane.Tests.Networking;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Tasks;

/// <summary>
/// The launcher's commit against a state that moved after the plan: it re-checks only the instances the plan
/// touches, places again only the tasks that no longer fit, and never oversubscribes an instance.
/// </summary>
public sealed class TaskLauncherTests
{
    private static readonly PlacementRules Binpack = PlacementValidation.Validate([], [new PlacementStrategy { Type = "binpack", Field = "cpu" }]);

    private static async Task<TaskDefinition> DefinitionAsync(TestCluster cluster, int cpu = 256, int memory = 512, int gpus = 0, string family = "web")
    {
        var container = new ContainerDefinition
        {
            Name = "web",
            Image = "local/busybox:1",
            Cpu = cpu,
            Memory = memory,
            ResourceRequirements = gpus == 0 ? null : [new ResourceRequirement { Type = "GPU", Value = gpus.ToString(System.Globalization.CultureInfo.InvariantCulture) }],
        };
        var registered = await cluster.Api.TaskDefinitions.RegisterTaskDefinitionAsync(
            new RegisterTaskDefinitionRequest { Family = family, ContainerDefinitions = [container] }, TestCluster.Token);
        return registered.TaskDefinition;
    }

    private static LaunchRequest Request(StateSnapshot state, TaskDefinition definition, int count, PlacementRules? rules = null, IReadOnlyList<string>? on = null) =>
        new(state.Cluster("default")!, definition, new PlacementRequest(TaskRequirements.Of(definition), count, "g", rules ?? Binpack), new TaskSettings("g", null))
        {
            OnInstances = on,
        };

    private static Task<LaunchOutcome> CommitAsync(TestCluster cluster, LaunchPlan plan) =>
        cluster.Store.WriteAsync(tx => cluster.Launcher.Commit(tx, plan), TestCluster.Token);

    [Fact]
    public async Task Commit_ChangeOnAnInstanceThePlanDoesNotTouch_KeepsThePlan()
    {
        using var cluster = new TestCluster();
        var (small, _) = await cluster.AddInstanceAsync(cpu: 1024);
        var (large, _) = await cluster.AddInstanceAsync(cpu: 4096);
        var definition = await DefinitionAsync(cluster);
        var plan = cluster.Launcher.Plan(cluster.Store.Current, Request(cluster.Store.Current, definition, 2));
        Assert.Equal([small, small], plan.Placement.InstanceArns); // binpack: the fuller instance

        var other = cluster.Launcher.Plan(cluster.Store.Current, Request(cluster.Store.Current, definition, 3, on: [large, large, large]));
        Assert.Equal(3, (await CommitAsync(cluster, other)).Created.Count);
        var outcome = await CommitAsync(cluster, plan);

        Assert.Equal(0, outcome.Replanned);
        Assert.Equal([small, small], outcome.Created.Select(t => t.Task.ContainerInstanceArn));
    }

    [Fact]
    public async Task Commit_TouchedInstanceNoLongerFits_PlacesOnlyTheRestAgain()
    {
        using var cluster = new TestCluster();
        var (small, _) = await cluster.AddInstanceAsync(cpu: 1024);
        var (large, _) = await cluster.AddInstanceAsync(cpu: 4096);
        var definition = await DefinitionAsync(cluster);
        var plan = cluster.Launcher.Plan(cluster.Store.Current, Request(cluster.Store.Current, definition, 3));
        Assert.Equal([small, small, small], plan.Placement.InstanceArns);

        // Meanwhile two tasks land on the small instance (1024 CPU units, four tasks): two of the three planned there still fit.
        var other = cluster.Launcher.Plan(cluster.Store.Current, Request(cluster.Store.Current, definition, 2, on: [small, small]));
        Assert.Equal(2, (await CommitAsync(cluster, other)).Created.Count);
        var outcome = await CommitAsync(cluster, plan);

        Assert.Equal(1, outcome.Replanned);
        Assert.Equal([small, small, large], outcome.Created.Select(t => t.Task.ContainerInstanceArn));
        Assert.True(outcome.Placement.IsComplete);
        Assert.Equal(4, cluster.Store.Current.TasksOn(small).Count());
    }

    [Fact]
    public async Task Commit_NamedInstanceNoLongerFits_FailsWithTheReasonOfTheMoment()
    {
        using var cluster = new TestCluster();
        var (only, _) = await cluster.AddInstanceAsync(cpu: 512);
        var definition = await DefinitionAsync(cluster);
        var plan = cluster.Launcher.Plan(cluster.Store.Current, Request(cluster.Store.Current, definition, 1, on: [only]));

        var other = cluster.Launcher.Plan(cluster.Store.Current, Request(cluster.Store.Current, definition, 2, on: [only, only]));
        await CommitAsync(cluster, other);
        var outcome = await CommitAsync(cluster, plan);

        Assert.Empty(outcome.Created);
        var failure = Assert.Single(outcome.Placement.InstanceFailures);
        Assert.Equal((only, PlacementReasons.Cpu), (failure.InstanceArn, failure.Reason));
    }

    [Fact]
    public async Task Commit_TwoPlansForOneSubnet_GiveDifferentAddresses()
    {
        using var cluster = new TestCluster(subnets: SubnetOptionsTests.Parse("subnet-a cidr=10.9.0.0/24 range=10.9.0.10-10.9.0.20 gateway=10.9.0.1"));
        var (a, _) = await cluster.AddInstanceAsync(r => r.Resources.AwsvpcTaskLimit = 4);
        var (b, _) = await cluster.AddInstanceAsync(r => r.Resources.AwsvpcTaskLimit = 4);
        var definition = (await cluster.Api.TaskDefinitions.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = "api",
            NetworkMode = NetworkModes.Awsvpc,
            ContainerDefinitions = [new ContainerDefinition { Name = "api", Image = "local/busybox:1", Memory = 32 }],
        }, TestCluster.Token)).TaskDefinition;
        var state = cluster.Store.Current;
        var first = cluster.Launcher.Plan(state, Request(state, definition, 1, on: [a]));
        var second = cluster.Launcher.Plan(state, Request(state, definition, 1, on: [b]));
        Assert.Equal(first.Placement.Placements[0].Address, second.Placement.Placements[0].Address); // both saw .10 free

        var one = await CommitAsync(cluster, first);
        var two = await CommitAsync(cluster, second);

        Assert.Equal(0, two.Replanned);
        Assert.Equal(["10.9.0.10", "10.9.0.11"], new[] { one, two }.Select(o => Assert.Single(o.Created).Address!.Ipv4Address));
    }

    [Fact]
    public async Task Commit_TwoPlansInOneTransaction_TheSecondSeesTheFirst()
    {
        using var cluster = new TestCluster(subnets: SubnetOptionsTests.Parse("subnet-a cidr=10.9.0.0/24 range=10.9.0.10-10.9.0.20 gateway=10.9.0.1"));
        var (only, _) = await cluster.AddInstanceAsync(r => r.Resources.AwsvpcTaskLimit = 4, cpu: 512);
        var definition = (await cluster.Api.TaskDefinitions.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = "api",
            NetworkMode = NetworkModes.Awsvpc,
            ContainerDefinitions = [new ContainerDefinition { Name = "api", Image = "local/busybox:1", Cpu = 256, Memory = 32 }],
        }, TestCluster.Token)).TaskDefinition;
        var state = cluster.Store.Current;
        var first = cluster.Launcher.Plan(state, Request(state, definition, 2));
        var second = cluster.Launcher.Plan(state, Request(state, definition, 1, on: [only]));

        var (one, two) = await cluster.Store.WriteAsync(tx => (cluster.Launcher.Commit(tx, first), cluster.Launcher.Commit(tx, second)), TestCluster.Token);

        Assert.Equal(2, one.Created.Count); // the instance's 512 CPU units hold two tasks: the second plan's no longer fits
        Assert.Empty(two.Created);
        Assert.Equal(PlacementReasons.Cpu, Assert.Single(two.Placement.InstanceFailures).Reason);
        Assert.Equal(["10.9.0.10", "10.9.0.11"], one.Created.Select(t => t.Address!.Ipv4Address));
    }

    [Fact]
    public void Commit_PlansMadeOverOneStaleSnapshot_NeverOversubscribe() =>
        Gen.Select(
                Gen.Select(Gen.Int[256, 4096], Gen.Int[0, 3]).Array[1, 4],
                Gen.Select(Gen.Int[1, 4], Gen.Int[1, 6], Gen.Int[0, 2]).Array[1, 6])
            .Sample((hosts, launches) =>
            {
                using var cluster = new TestCluster();
                var arns = hosts.Select((h, i) => cluster.AddInstanceAsync(r => r.Resources.GpuIds.Add(
                    Enumerable.Range(0, h.Item2).Select(g => $"GPU-{i}-{g}")), cpu: h.Item1, memory: 8192).GetAwaiter().GetResult().Arn).ToList();
                var definitions = launches.Select((l, n) =>
                    DefinitionAsync(cluster, cpu: 256 * l.Item1, memory: 128, gpus: l.Item3, family: $"f{n}").GetAwaiter().GetResult()).ToList();
                var stale = cluster.Store.Current;
                var plans = launches.Select((l, n) => cluster.Launcher.Plan(stale, Request(stale, definitions[n], l.Item2, PlacementRules.None))).ToList();

                var outcomes = plans.AsEnumerable().Reverse().Select(p => CommitAsync(cluster, p).GetAwaiter().GetResult()).ToList();

                var state = cluster.Store.Current;
                foreach (var (arn, (cpu, gpus)) in arns.Zip(hosts))
                {
                    var tasks = state.TasksOn(arn).ToList();
                    Assert.True(tasks.Sum(t => t.Reserved.Cpu) <= cpu, $"{arn}: {tasks.Sum(t => t.Reserved.Cpu)} of {cpu} CPU units");
                    var held = tasks.SelectMany(t => t.Task.Containers).SelectMany(c => c.GpuIds ?? []).ToList();
                    Assert.True(held.Count <= gpus && held.Distinct().Count() == held.Count, $"{arn}: GPUs {string.Join(",", held)}");
                }

                Assert.All(outcomes.Zip(plans.AsEnumerable().Reverse()), o =>
                    Assert.Equal(o.Second.Request.Placement.Count, o.First.Created.Count + o.First.Placement.Unplaced.Count));
            }, iter: 40, threads: 1);
}
