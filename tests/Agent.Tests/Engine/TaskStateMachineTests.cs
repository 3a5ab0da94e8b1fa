using System.Collections.Immutable;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Tests.Engine;

public sealed class TaskStateMachineTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlySet<string> NotBusy = new HashSet<string>();

    private static StoredTask Task(LifecycleStatus desired, params (string Name, LifecycleStatus Known, bool Essential)[] containers) => new()
    {
        TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/default/t1",
        ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/default",
        TaskDefinitionJson = "{}",
        ReceivedAt = Now,
        DesiredStatus = desired,
        Containers = [.. containers.Select(c => new ContainerRecord
        {
            Name = c.Name,
            KnownStatus = c.Known,
            Essential = c.Essential,
            RuntimeId = c.Known >= LifecycleStatus.Created ? "id-" + c.Name : null,
        })],
    };

    public static TheoryData<LifecycleStatus, LifecycleStatus, ContainerActionKind?> Steps => new()
    {
        { LifecycleStatus.Running, LifecycleStatus.None, ContainerActionKind.Pull },
        { LifecycleStatus.Running, LifecycleStatus.Pulled, ContainerActionKind.Create },
        { LifecycleStatus.Running, LifecycleStatus.Created, ContainerActionKind.Start },
        { LifecycleStatus.Running, LifecycleStatus.Running, null },
        { LifecycleStatus.Running, LifecycleStatus.Stopped, null },
        { LifecycleStatus.Stopped, LifecycleStatus.Running, ContainerActionKind.Stop },
        { LifecycleStatus.Stopped, LifecycleStatus.Stopped, null },
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void Advance_ContainerStatus_NextStepTowardsDesired(LifecycleStatus desired, LifecycleStatus known, ContainerActionKind? expected)
    {
        var (_, actions) = TaskStateMachine.Advance(Task(desired, ("web", known, true)), NotBusy, Now);

        Assert.Equal(expected is null ? [] : [new ContainerAction("web", expected.Value)], actions);
    }

    [Theory]
    [InlineData(LifecycleStatus.None)]
    [InlineData(LifecycleStatus.Pulled)]
    [InlineData(LifecycleStatus.Created)]
    public void Advance_StopWantedForContainerNeverStarted_StoppedWithoutDocker(LifecycleStatus known)
    {
        var (task, actions) = TaskStateMachine.Advance(Task(LifecycleStatus.Stopped, ("web", known, true)), NotBusy, Now);

        Assert.Empty(actions);
        Assert.Equal(LifecycleStatus.Stopped, task.Containers[0].KnownStatus);
        Assert.Null(task.Containers[0].ExitCode);
        Assert.Equal(LifecycleStatus.Stopped, task.KnownStatus);
        Assert.Equal(Now, task.ExecutionStoppedAt);
    }

    [Fact]
    public void Advance_ContainerBusy_NoAction()
    {
        var (task, actions) = TaskStateMachine.Advance(Task(LifecycleStatus.Running, ("web", LifecycleStatus.None, true)), new HashSet<string> { "web" }, Now);

        Assert.Empty(actions);
        Assert.Null(task.PullStartedAt);
    }

    [Fact]
    public void Advance_FirstPull_SetsPullStartedAt()
    {
        var (task, _) = TaskStateMachine.Advance(Task(LifecycleStatus.Running, ("web", LifecycleStatus.None, true)), NotBusy, Now);

        Assert.Equal(Now, task.PullStartedAt);
    }

    public static TheoryData<LifecycleStatus[], bool[], LifecycleStatus> KnownStatuses => new()
    {
        { [LifecycleStatus.Running, LifecycleStatus.Created], [true, true], LifecycleStatus.Created },
        { [LifecycleStatus.Running, LifecycleStatus.Running], [true, true], LifecycleStatus.Running },
        // A stopped non-essential container does not hold the task back.
        { [LifecycleStatus.Running, LifecycleStatus.Stopped], [true, false], LifecycleStatus.Running },
        // An essential one stopped while another still runs: the task waits for the other to stop.
        { [LifecycleStatus.Stopped, LifecycleStatus.Running], [true, false], LifecycleStatus.None },
        { [LifecycleStatus.Stopped, LifecycleStatus.Stopped], [true, false], LifecycleStatus.Stopped },
    };

    [Theory]
    [MemberData(nameof(KnownStatuses))]
    public void UpdateKnownStatus_Containers_TaskFollowsEarliest(LifecycleStatus[] containers, bool[] essential, LifecycleStatus expected)
    {
        var task = Task(LifecycleStatus.Running, [.. containers.Select((s, i) => ($"c{i}", s, essential[i]))]);

        Assert.Equal(expected, TaskStateMachine.UpdateKnownStatus(task, Now).KnownStatus);
    }

    [Fact]
    public void UpdateKnownStatus_EarlierThanKnown_NeverMovesBack()
    {
        var task = Task(LifecycleStatus.Running, ("web", LifecycleStatus.Created, true)) with { KnownStatus = LifecycleStatus.Running };

        Assert.Equal(LifecycleStatus.Running, TaskStateMachine.UpdateKnownStatus(task, Now).KnownStatus);
    }

    [Fact]
    public void Apply_EssentialContainerStopped_TaskDesiredStopped()
    {
        var task = Task(LifecycleStatus.Running, ("web", LifecycleStatus.Running, true), ("log", LifecycleStatus.Running, false));

        var next = TaskStateMachine.Apply(task, new ContainerStopped("web", 2, null), Now);

        Assert.Equal(LifecycleStatus.Stopped, next.DesiredStatus);
        Assert.Equal(TaskStopCode.EssentialContainerExited, next.StopCode);
        Assert.Equal(TaskStateMachine.EssentialContainerExitedReason, next.StoppedReason);
        Assert.Equal(2, next.Container("web")!.ExitCode);
        Assert.Equal(LifecycleStatus.None, next.KnownStatus);
    }

    [Fact]
    public void Apply_NonEssentialContainerStopped_TaskStillWanted()
    {
        var task = Task(LifecycleStatus.Running, ("web", LifecycleStatus.Running, true), ("log", LifecycleStatus.Running, false));

        var next = TaskStateMachine.Apply(task, new ContainerStopped("log", 0, null), Now);

        Assert.Equal(LifecycleStatus.Running, next.DesiredStatus);
        Assert.Null(next.StopCode);
    }

    [Fact]
    public void Apply_StopRequestedAfterStop_KeepsFirstReason()
    {
        var task = Task(LifecycleStatus.Running, ("web", LifecycleStatus.Running, true));

        var next = TaskStateMachine.Apply(
            TaskStateMachine.Apply(task, new StopRequested(TaskStopCode.UserInitiated, "first"), Now),
            new StopRequested(TaskStopCode.UserInitiated, "second"),
            Now);

        Assert.Equal("first", next.StoppedReason);
    }

    [Fact]
    public void Apply_LateEvent_StatusNeverMovesBack()
    {
        var task = Task(LifecycleStatus.Stopped, ("web", LifecycleStatus.Stopped, true)) with { KnownStatus = LifecycleStatus.Stopped };

        var next = TaskStateMachine.Apply(task, new ContainerRunning("web", "id-web", []), Now);

        Assert.Same(task, next);
    }

    [Fact]
    public void Apply_FailureAfterTaskRunning_EssentialContainerExited()
    {
        var task = Task(LifecycleStatus.Running, ("web", LifecycleStatus.Running, true), ("late", LifecycleStatus.Pulled, true)) with
        {
            KnownStatus = LifecycleStatus.Running,
        };

        var next = TaskStateMachine.Apply(task, new ContainerFailed("late", "CannotStartContainerError: boom"), Now);

        Assert.Equal(TaskStopCode.EssentialContainerExited, next.StopCode);
        Assert.Equal("CannotStartContainerError: boom", next.StoppedReason);
    }

    [Fact]
    public void Apply_AllContainersRunning_StartedAtSet()
    {
        var task = Task(LifecycleStatus.Running, ("web", LifecycleStatus.Created, true));

        var next = TaskStateMachine.Apply(task, new ContainerRunning("web", "id-web", [new BindingRecord("0.0.0.0", 80, 32768, "tcp")]), Now);

        Assert.Equal(LifecycleStatus.Running, next.KnownStatus);
        Assert.Equal(Now, next.StartedAt);
        Assert.Equal(ImmutableList.Create(new BindingRecord("0.0.0.0", 80, 32768, "tcp")), next.Containers[0].NetworkBindings);
    }
}
