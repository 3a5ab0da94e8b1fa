using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.Ecs.Model;
using static Orchestrator.ControlPlane.Tests.Scheduling.Hosts;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

/// <summary>Each ECS failure reason, from one instance that cannot take the task for that reason alone.</summary>
public sealed class FilterReasonTests
{
    private static readonly Dictionary<string, (InstanceSnapshot Host, TaskRequirements Needs, PlacementRules Rules, string Detail)> Cases = new()
    {
        ["cpu"] = (Host("h", cpu: 100), Needs(cpu: 256), PlacementRules.None, "The task needs 256 CPU units; the container instance has 100 left."),
        ["memory"] = (Host("h", memory: 424), Needs(memory: 600), PlacementRules.None, "The task needs 600 MiB of memory; the container instance has 424 MiB left."),
        ["tcp"] = (Host("h", tcp: [22, 8080]), Needs(tcp: [8080]), PlacementRules.None, "The container instance is already using TCP port 8080 that the task requires."),
        ["udp"] = (Host("h", udp: [53]), Needs(udp: [53]), PlacementRules.None, "The container instance is already using UDP port 53 that the task requires."),
        ["gpu"] = (Host("h", gpus: 1), Needs(gpus: 2), PlacementRules.None, "The task needs 2 GPUs; the container instance has 1 free."),
        ["eni"] = (Host("h", eniSlots: 0, eniLimit: 4), Needs(eni: true), PlacementRules.None, "The container instance has no free awsvpc task slot: it runs at most 4 awsvpc tasks."),
        ["no-awsvpc"] = (Host("h", eniSlots: 0), Needs(eni: true), PlacementRules.None, "The container instance does not run awsvpc tasks (its agent has no --awsvpc-interface)."),
        ["location"] = (Host("h", subnets: []), Needs(eni: true), PlacementRules.None,
            "No subnet serves the container instance (ControlPlane:Subnets, --subnet), so it has no address for an awsvpc task."),
        ["dynamic-tcp"] = (Host("h", dynamicTcp: 1), Needs(dynamicTcp: 2), PlacementRules.None,
            "The task needs 2 dynamic TCP host ports; the container instance has 1 left in its dynamic port range 49153-65535."),
        ["dynamic-udp"] = (Host("h", dynamicUdp: 0), Needs(dynamicUdp: 1), PlacementRules.None,
            "The task needs 1 dynamic UDP host port; the container instance has 0 left in its dynamic port range 49153-65535."),
        ["agent"] = (Host("h", connected: false), Needs(), PlacementRules.None, "The container instance's agent is not connected."),
        ["draining"] = (Host("h", status: ContainerInstanceStatus.Draining), Needs(), PlacementRules.None, "The container instance is DRAINING, not ACTIVE."),
        ["memberOf"] = (Host("h", attributes: Attrs(("zone", "a"))), Needs(), Rules("attribute:zone == b"), "The container instance does not satisfy memberOf(attribute:zone == b)."),
        ["distinct"] = (Host("h", groups: Groups(("family:web", 1))), Needs(), Rules(distinct: true), "The container instance already runs a task of group 'family:web' (distinctInstance)."),
    };

    [Theory]
    [InlineData("cpu", PlacementReasons.Cpu)]
    [InlineData("memory", PlacementReasons.Memory)]
    [InlineData("tcp", PlacementReasons.Ports)]
    [InlineData("udp", PlacementReasons.PortsUdp)]
    [InlineData("gpu", PlacementReasons.Gpu)]
    [InlineData("eni", PlacementReasons.Eni)]
    [InlineData("no-awsvpc", PlacementReasons.Eni)]
    [InlineData("location", PlacementReasons.Location)]
    [InlineData("dynamic-tcp", PlacementReasons.Ports)]
    [InlineData("dynamic-udp", PlacementReasons.PortsUdp)]
    [InlineData("agent", PlacementReasons.Agent)]
    [InlineData("draining", PlacementReasons.Inactive)]
    [InlineData("memberOf", PlacementReasons.Attribute)]
    [InlineData("distinct", PlacementReasons.Attribute)]
    public void Place_InstanceFailsOneFilter_ReportsItsReason(string name, string reason)
    {
        var (host, needs, rules, detail) = Cases[name];

        var result = Place(Snapshot(host), needs: needs, rules: rules);

        Assert.Empty(result.InstanceArns);
        var unplaced = Assert.Single(result.Unplaced);
        Assert.Equal(reason, unplaced.Reason);
        var failure = Assert.Single(result.InstanceFailures);
        Assert.Equal((host.Arn, reason, detail), (failure.InstanceArn, failure.Reason, failure.Detail));
    }

    [Fact]
    public void Place_NoInstances_FailsWithMissing()
    {
        var result = Place(Snapshot(), count: 2);

        Assert.Equal([PlacementReasons.Missing, PlacementReasons.Missing], result.Unplaced.Select(u => u.Reason));
        Assert.Equal("No container instances were found in the cluster.", result.Unplaced[0].Explanation);
        Assert.Empty(result.InstanceFailures);
    }

    [Fact]
    public void Place_InstanceFailsSeveralFilters_ReportsTheFirstInEcsOrder()
    {
        var host = Host("h", cpu: 0, memory: 0, connected: false, attributes: Attrs(("zone", "a")));

        var result = Place(Snapshot(host), rules: Rules("attribute:zone == b"));

        Assert.Equal(PlacementReasons.Agent, Assert.Single(result.InstanceFailures).Reason);
    }

    [Fact]
    public void Place_MemoryUsesHardLimitElseReservation_AsTaskRequirementsComputesIt()
    {
        var definition = new TaskDefinition
        {
            Family = "web",
            ContainerDefinitions = [new ContainerDefinition { Name = "a", Memory = 300, MemoryReservation = 100 }, new ContainerDefinition { Name = "b", MemoryReservation = 200 }],
        };

        var result = Place(Snapshot(Host("h", memory: 499)), needs: TaskRequirements.Of(definition));

        Assert.Equal("The task needs 500 MiB of memory; the container instance has 499 MiB left.", Assert.Single(result.InstanceFailures).Detail);
    }
}
