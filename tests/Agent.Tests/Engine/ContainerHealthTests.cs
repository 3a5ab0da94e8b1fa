using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>Docker health → container and task healthStatus, and health changes as reported state changes.</summary>
public sealed class ContainerHealthTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static StoredTask Task(params (string Name, bool Essential, string? Health)[] containers) => new()
    {
        TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/default/t1",
        ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/default",
        TaskDefinitionJson = "{}",
        ReceivedAt = Now,
        KnownStatus = LifecycleStatus.Running,
        Containers = [.. containers.Select(c => new ContainerRecord
        {
            Name = c.Name,
            Essential = c.Essential,
            Health = c.Health,
            KnownStatus = LifecycleStatus.Running,
            RuntimeId = "id-" + c.Name,
        })],
    };

    [Theory]
    [InlineData("healthy", HealthStatuses.Healthy)]
    [InlineData("unhealthy", HealthStatuses.Unhealthy)]
    [InlineData("starting", HealthStatuses.Unknown)]
    [InlineData(null, null)]
    public void HealthOf_DockerStatus_EcsStatus(string? docker, string? ecs) => Assert.Equal(ecs, TaskEngine.HealthOf(docker));

    [Fact]
    public void Apply_RunningContainerHealthChanges_OnlyHealthMoves()
    {
        var task = Task(("web", true, HealthStatuses.Unknown));

        var healthy = TaskStateMachine.Apply(task, new ContainerRunning("web", "id-web", [], HealthStatuses.Healthy), Now);
        var unhealthy = TaskStateMachine.Apply(healthy, new ContainerRunning("web", "id-web", [], HealthStatuses.Unhealthy), Now);
        var same = TaskStateMachine.Apply(unhealthy, new ContainerRunning("web", "id-web", [], HealthStatuses.Unhealthy), Now);

        Assert.Equal(HealthStatuses.Healthy, healthy.Containers[0].Health);
        Assert.Equal(HealthStatuses.Unhealthy, unhealthy.Containers[0].Health);
        Assert.Same(unhealthy, same);
        Assert.True(TaskReport.IsReportableChange(task, healthy));
        Assert.True(TaskReport.IsReportableChange(healthy, unhealthy));
    }

    [Fact]
    public void Apply_ContainerWithoutHealthCheck_StaysWithoutHealth()
    {
        var task = Task(("web", true, null));

        Assert.Same(task, TaskStateMachine.Apply(task, new ContainerRunning("web", "id-web", [], HealthStatuses.Healthy), Now));
    }

    [Fact]
    public void Apply_FirstRunning_RecordsStartAndHealth()
    {
        var task = Task(("web", true, HealthStatuses.Unknown)) with { KnownStatus = LifecycleStatus.Created };
        task = task.WithContainer(task.Containers[0] with { KnownStatus = LifecycleStatus.Created });

        var running = TaskStateMachine.Apply(task, new ContainerRunning("web", "id-web", [], HealthStatuses.Unknown), Now);

        Assert.Equal(Now, running.Containers[0].StartedAt);
        Assert.Equal(HealthStatuses.Unknown, running.Containers[0].Health);
    }

    public static TheoryData<(string, bool, string?)[], string> TaskHealths => new()
    {
        { [("web", true, HealthStatuses.Healthy), ("api", true, HealthStatuses.Healthy)], HealthStatuses.Healthy },
        { [("web", true, HealthStatuses.Healthy), ("api", true, HealthStatuses.Unhealthy)], HealthStatuses.Unhealthy },
        { [("web", true, HealthStatuses.Healthy), ("api", true, HealthStatuses.Unknown)], HealthStatuses.Unknown },
        // Containers without a health check and non-essential ones do not count.
        { [("web", true, HealthStatuses.Healthy), ("plain", true, null)], HealthStatuses.Healthy },
        { [("web", true, HealthStatuses.Healthy), ("sidecar", false, HealthStatuses.Unhealthy)], HealthStatuses.Healthy },
        { [("plain", true, null), ("sidecar", false, HealthStatuses.Healthy)], HealthStatuses.Unknown },
    };

    [Theory]
    [MemberData(nameof(TaskHealths))]
    public void TaskHealth_EssentialContainersWithChecks_DecideAsEcs((string, bool, string?)[] containers, string expected)
    {
        var state = TaskReport.Of(Task(containers));

        Assert.Equal(expected, state.HealthStatus);
        Assert.All(state.Containers, c => Assert.Contains(c.HealthStatus, new[] { HealthStatuses.Healthy, HealthStatuses.Unhealthy, HealthStatuses.Unknown }));
    }

    [Fact]
    public void Of_ContainerWithoutHealthCheck_ReportedUnknown()
    {
        var state = TaskReport.Of(Task(("plain", true, null)));

        Assert.Equal(HealthStatuses.Unknown, state.Containers[0].HealthStatus);
        Assert.Equal(ReportedStatus.Running, state.LastStatus);
    }
}
