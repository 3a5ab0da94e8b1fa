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
        Assert.Equal((0, 0), (b.FreeTaskEniSlots, b.TaskEniLimit)); // registered without awsvpc
        Assert.Equal((InstanceSnapshot.Unlimited, null), (b.FreeDynamicTcpPorts, b.DynamicPortRange)); // nor a dynamic port range
        Assert.Empty(b.SubnetIds);
    }

    [Fact]
    public void Of_Instance_CountsDynamicPortsGpusAwsvpcSlotsAndSubnets()
    {
        var registered = new HostCapacity(2048, 4096, [22, 40003], [])
        {
            DynamicPortFirst = 40000,
            DynamicPortLast = 40009,
            GpuIds = ["GPU-0", "GPU-1", "GPU-2"],
            AwsvpcTaskLimit = 4,
        };
        var instance = Instance("b", ContainerInstanceStatus.Active) with { Registered = registered };
        var bound = Task("t1", "b", "family:web", TaskStatus.Running, tcp: [40005]) with
        {
            Reserved = new TaskRequirements(100, 200, [40005], []) { DynamicTcpPorts = 2, DynamicUdpPorts = 1 },
        };
        bound = bound with
        {
            Task = bound.Task with
            {
                Containers =
                [
                    new Container
                    {
                        Name = "web",
                        GpuIds = ["GPU-1"],
                        NetworkBindings =
                        [
                            new NetworkBinding { BindIP = "0.0.0.0", ContainerPort = 80, HostPort = 40000, Protocol = "tcp" },
                            new NetworkBinding { BindIP = "::", ContainerPort = 80, HostPort = 40000, Protocol = "tcp" },
                            new NetworkBinding { BindIP = "0.0.0.0", ContainerPort = 81, HostPort = 40005, Protocol = "tcp" },
                        ],
                    },
                ],
            },
        };
        var pending = Task("t2", "b", "family:web", TaskStatus.Pending) with
        {
            Reserved = new TaskRequirements(100, 200, [], []) { DynamicTcpPorts = 3, UsesTaskEni = true },
        };
        var subnets = new[]
        {
            Subnet("subnet-b", "attribute:ecs.availability-zone == us-east-1a"),
            Subnet("subnet-c", "attribute:ecs.availability-zone == us-east-1c"),
            Subnet("subnet-other", null, cluster: "other"),
        };
        var state = (StateSnapshot.Empty with { Subnets = subnets }).With(instance).With(bound).With(pending);

        var view = ClusterSnapshot.Of(state, instance, agentConnected: true);

        Assert.Equal([22, 40000, 40003, 40005], view.UsedTcpPorts.Order());
        // 10 ports; 40000, 40003 and 40005 used; t1 owes 1 more (2 dynamic, 1 bound), t2 owes 3.
        Assert.Equal(10 - 3 - 1 - 3, view.FreeDynamicTcpPorts);
        Assert.Equal(10 - 1, view.FreeDynamicUdpPorts);
        Assert.Equal("40000-40009", view.DynamicPortRange);
        Assert.Equal(["GPU-0", "GPU-2"], view.FreeGpuIds);
        Assert.Equal((3, 4), (view.FreeTaskEniSlots, view.TaskEniLimit));
        Assert.Equal(["subnet-b"], view.SubnetIds);
    }

    private static ControlPlane.Networking.Subnet Subnet(string id, string? hosts, string? cluster = null) => new()
    {
        Id = id,
        Network = 0x0A000000,
        PrefixLength = 24,
        First = 0x0A000002,
        Last = 0x0A0000FE,
        Gateway = 0x0A000001,
        Cluster = cluster,
        Hosts = hosts,
    };

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

    [Fact]
    public void TaskGoingDown_KeepsItsStaticPortAndResourcesUntilStopped()
    {
        // t1 is going down (desired STOPPED; a sidecar still takes its stop timeout) but not STOPPED yet.
        var stopping = Task("t1", "a", "service:web", TaskStatus.Running, tcp: [8080]);
        stopping = stopping with { Task = stopping.Task with { DesiredStatus = TaskStatus.Stopped } };
        var state = StateSnapshot.Empty
            .With(Instance("a", ContainerInstanceStatus.Active))
            .With(Instance("b", ContainerInstanceStatus.Active))
            .With(stopping);
        var wantsPort = new PlacementRequest(new TaskRequirements(100, 200, [8080], []), 1, "service:web", PlacementValidation.Validate([], null));

        var snapshot = ClusterSnapshot.From(state, "default", _ => true);
        var a = snapshot.Find("a")!;
        Assert.Contains(8080, a.UsedTcpPorts);
        Assert.Equal((2048 - 100, 4096 - 200), (a.RemainingCpu, a.RemainingMemoryMiB));
        Assert.Equal(Prefix + "container-instance/default/b", Assert.Single(PlacementEngine.Place(snapshot, wantsPort).InstanceArns));

        // With b gone, the task wanting 8080 has nowhere to go until t1 is STOPPED.
        var onlyA = ClusterSnapshot.From(state, "default", arn => arn.EndsWith("/a", StringComparison.Ordinal));
        Assert.Empty(PlacementEngine.PlaceOn(onlyA, wantsPort, [Prefix + "container-instance/default/a"]).InstanceArns);

        var stopped = state.With(stopping with { Task = stopping.Task with { LastStatus = TaskStatus.Stopped } });
        var freed = ClusterSnapshot.From(stopped, "default", _ => true).Find("a")!;
        Assert.DoesNotContain(8080, freed.UsedTcpPorts);
        Assert.Equal((2048, 4096), (freed.RemainingCpu, freed.RemainingMemoryMiB));
        Assert.Equal(Prefix + "container-instance/default/a",
            Assert.Single(PlacementEngine.PlaceOn(ClusterSnapshot.From(stopped, "default", _ => true), wantsPort, [Prefix + "container-instance/default/a"]).InstanceArns));
    }

    [Fact]
    public void Of_SameInstanceAndTasks_Reused_AnyChangeToItsTasksOrConnection_BuiltAgain()
    {
        var pending = Task("t1", "b", "service:web", TaskStatus.Pending) with
        {
            Reserved = new TaskRequirements(100, 200, [], []) { DynamicTcpPorts = 1 },
        };
        var state = StateSnapshot.Empty
            .With(Instance("a", ContainerInstanceStatus.Active))
            .With(Instance("b", ContainerInstanceStatus.Active))
            .With(pending);
        var b = state.Instance(Prefix + "container-instance/default/b")!;
        var first = ClusterSnapshot.Of(state, b, agentConnected: true);

        // Nothing on b changed (a task elsewhere did): the same snapshot, not rebuilt from every task.
        var elsewhere = state.With(Task("t2", "a", "service:web", TaskStatus.Running));
        Assert.Same(first, ClusterSnapshot.Of(elsewhere, b, agentConnected: true));
        Assert.NotSame(first, ClusterSnapshot.Of(elsewhere, b, agentConnected: false));
        Assert.False(ClusterSnapshot.Of(elsewhere, b, agentConnected: false).AgentConnected);

        // The task on b reports RUNNING with the host port the agent picked: counted at once.
        var running = elsewhere.With(pending with
        {
            Task = pending.Task with
            {
                LastStatus = TaskStatus.Running,
                Containers = [new Container { Name = "web", NetworkBindings = [new NetworkBinding { ContainerPort = 80, HostPort = 49153, Protocol = "tcp" }] }],
            },
        });
        var bound = ClusterSnapshot.Of(running, b, agentConnected: true);
        Assert.Contains(49153, bound.UsedTcpPorts);
        Assert.DoesNotContain(49153, first.UsedTcpPorts);

        // STOPPED: its CPU and memory are free again.
        var stopped = running.With(running.Task(pending.Arn)! with { Task = running.Task(pending.Arn)!.Task with { LastStatus = TaskStatus.Stopped } });
        var freed = ClusterSnapshot.Of(stopped, b, agentConnected: true);
        Assert.Equal((2048, 4096, 0), (freed.RemainingCpu, freed.RemainingMemoryMiB, freed.RunningTasksCount));
        Assert.Equal((2048 - 100, 1), (ClusterSnapshot.Of(running, b, agentConnected: true).RemainingCpu, first.RunningTasksCount));
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
