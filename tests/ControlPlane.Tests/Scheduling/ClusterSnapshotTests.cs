using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;
using Attribute = Orchestrator.Ecs.Model.Attribute;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

public sealed class ClusterSnapshotTests
{
    private const string Prefix = "arn:aws:ecs:us-east-1:123456789012:";

    [Fact]
    public void From_State_BuildsInstancesWithWhatTheyHaveLeft()
    {
        var state = StateSnapshot.Empty
            .With(Instance("b", ContainerInstanceStatus.Active))
            .With(Instance("a", ContainerInstanceStatus.Draining))
            .With(Instance("gone", ContainerInstanceStatus.Inactive))
            .With(Instance("elsewhere", ContainerInstanceStatus.Active, cluster: "other"))
            .With(Task("t1", "b", "service:web", TaskStatus.Running, tcp: [8080]))
            .With(Task("t2", "b", "service:web", TaskStatus.Pending))
            .With(Task("t3", "b", "family:batch", TaskStatus.Running, udp: [53]))
            .With(Task("t4", "b", "service:web", TaskStatus.Stopped));

        var snapshot = ClusterSnapshot.From(state, "default", arn => arn.EndsWith("/b", StringComparison.Ordinal));

        Assert.Equal(["a", "b"], snapshot.Instances.Select(i => i.Id));
        var b = snapshot.Find("b")!;
        Assert.Same(b, snapshot.Find(b.Arn));
        Assert.True(b.AgentConnected);
        Assert.False(snapshot.Find("a")!.AgentConnected);
        Assert.Equal(ContainerInstanceStatus.Draining, snapshot.Find("a")!.Status);
        Assert.Equal((2048 - 300, 4096 - 600, 3), (b.RemainingCpu, b.RemainingMemoryMiB, b.RunningTasksCount));
        Assert.Equal([22, 8080], b.UsedTcpPorts.Order());
        Assert.Equal([53], b.UsedUdpPorts);
        Assert.Equal(2, b.GroupCount("service:web"));
        Assert.Equal(1, b.GroupCount("family:batch"));
        Assert.Equal("us-east-1a", b.Attributes["ecs.availability-zone"]);
        Assert.Null(b.Attributes["ecs.capability.task-eni"]);
        Assert.Equal(("i-0b", "1.51.0"), (b.Ec2InstanceId, b.AgentVersion));
        Assert.Empty(b.FreeGpuIds);
        Assert.Equal(InstanceSnapshot.Unlimited, b.FreeTaskEniSlots);
    }

    [Fact]
    public void From_State_PlacementSeesTheGroupsAndAttributes()
    {
        var state = StateSnapshot.Empty
            .With(Instance("a", ContainerInstanceStatus.Active))
            .With(Instance("b", ContainerInstanceStatus.Active))
            .With(Task("t1", "a", "service:web", TaskStatus.Running));
        var snapshot = ClusterSnapshot.From(state, "default", _ => true);
        var rules = PlacementValidation.Validate(
            [new PlacementConstraint("memberOf", "attribute:ecs.availability-zone == us-east-1a and not(task:group == service:web)")], null);

        var result = PlacementEngine.Place(snapshot, new PlacementRequest(new TaskRequirements(100, 100, [], []), 1, "service:web", rules));

        Assert.Equal(Prefix + "container-instance/default/b", Assert.Single(result.InstanceArns));
    }

    private static InstanceRecord Instance(string id, string status, string cluster = "default") => new()
    {
        Arn = $"{Prefix}container-instance/{cluster}/{id}",
        ClusterName = cluster,
        Ec2InstanceId = "i-0" + id,
        Registered = new HostCapacity(2048, 4096, [22], []),
        Attributes = [new Attribute { Name = "ecs.availability-zone", Value = "us-east-1a" }, new Attribute { Name = "ecs.capability.task-eni" }],
        Status = status,
        VersionInfo = new VersionInfo("1.51.0", null, null),
    };

    private static TaskRecord Task(string id, string instance, string group, string status, int[]? tcp = null, int[]? udp = null) => new()
    {
        ClusterName = "default",
        Task = new EcsTask
        {
            TaskArn = $"{Prefix}task/default/{id}",
            ContainerInstanceArn = $"{Prefix}container-instance/default/{instance}",
            Group = group,
            LastStatus = status,
        },
        Reserved = new TaskRequirements(100, 200, tcp ?? [], udp ?? []),
    };
}
