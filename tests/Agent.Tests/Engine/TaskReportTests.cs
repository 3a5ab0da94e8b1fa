using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Tests.Engine;

public sealed class TaskReportTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly StoredTask Received = new()
    {
        TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/default/t1",
        ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/default",
        TaskDefinitionJson = "{}",
        ReceivedAt = Now,
        Containers = [new ContainerRecord { Name = "web" }],
    };

    [Theory]
    [InlineData(LifecycleStatus.None, ReportedStatus.Pending)]
    [InlineData(LifecycleStatus.Pulled, ReportedStatus.Pending)]
    [InlineData(LifecycleStatus.Created, ReportedStatus.Pending)]
    [InlineData(LifecycleStatus.Running, ReportedStatus.Running)]
    [InlineData(LifecycleStatus.Stopped, ReportedStatus.Stopped)]
    public void ToReported_LifecycleStatus_PendingRunningOrStopped(LifecycleStatus status, ReportedStatus expected) =>
        Assert.Equal(expected, status.ToReported());

    [Fact]
    public void Of_StoppedTask_StopCodeReasonAndExitCode()
    {
        var task = Received with
        {
            KnownStatus = LifecycleStatus.Stopped,
            DesiredStatus = LifecycleStatus.Stopped,
            StopCode = TaskStopCode.EssentialContainerExited,
            StoppedReason = "Essential container in task exited",
            ExecutionStoppedAt = Now,
            Containers = [new ContainerRecord { Name = "web", KnownStatus = LifecycleStatus.Stopped, ExitCode = 1, RuntimeId = "abc" }],
        };

        var state = TaskReport.Of(task);

        Assert.Equal(ReportedStatus.Stopped, state.LastStatus);
        Assert.Equal("EssentialContainerExited", state.StopCode);
        Assert.Equal("Essential container in task exited", state.StoppedReason);
        Assert.Equal(1, state.Containers[0].ExitCode);
        Assert.Equal("abc", state.Containers[0].RuntimeId);
        Assert.Equal(Now, state.ExecutionStoppedAt);
    }

    [Fact]
    public void Of_StoppingTask_NoStopCodeYet()
    {
        var task = Received with
        {
            KnownStatus = LifecycleStatus.Running,
            DesiredStatus = LifecycleStatus.Stopped,
            StopCode = TaskStopCode.UserInitiated,
            StoppedReason = "bye",
        };

        var state = TaskReport.Of(task);

        Assert.Equal("", state.StopCode);
        Assert.Equal("", state.StoppedReason);
    }

    [Fact]
    public void Of_TaskTheAgentIsStoppingItself_SaysSoWithWhy_AndThatIsAChangeToReport()
    {
        var running = Received with
        {
            KnownStatus = LifecycleStatus.Running,
            Containers = [new ContainerRecord { Name = "web", KnownStatus = LifecycleStatus.Running, Essential = true }, new ContainerRecord { Name = "sidecar", KnownStatus = LifecycleStatus.Running }],
        };
        var stopping = running with
        {
            DesiredStatus = LifecycleStatus.Stopped,
            StopCode = TaskStopCode.EssentialContainerExited,
            StoppedReason = "Essential container in task exited",
            Containers = [new ContainerRecord { Name = "web", KnownStatus = LifecycleStatus.Stopped, Essential = true, ExitCode = 137 }, running.Containers[1]],
        };

        var state = TaskReport.Of(stopping);

        Assert.Equal(ReportedStatus.Running, state.LastStatus);
        Assert.True(state.Stopping);
        Assert.Equal("EssentialContainerExited", state.StopCode);
        Assert.Equal("Essential container in task exited", state.StoppedReason);
        Assert.False(TaskReport.Of(running).Stopping);
        Assert.True(TaskReport.IsReportableChange(running with { Containers = stopping.Containers }, stopping));
    }

    public static TheoryData<string, StoredTask, bool> Changes => new()
    {
        { "just received", Received, false },
        { "pulled", Received with { PullStartedAt = Now, Containers = [new ContainerRecord { Name = "web", KnownStatus = LifecycleStatus.Pulled }] }, false },
        { "created", Received with { Containers = [new ContainerRecord { Name = "web", KnownStatus = LifecycleStatus.Created, RuntimeId = "abc" }] }, false },
        { "running", Received with { KnownStatus = LifecycleStatus.Running, Containers = [new ContainerRecord { Name = "web", KnownStatus = LifecycleStatus.Running }] }, true },
        { "refused", Received with { KnownStatus = LifecycleStatus.Stopped, StopCode = "TaskFailedToStart", StoppedReason = "no" }, true },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void IsReportableChange_FromReceived_OnlyStatusReasonExitOrBindings(string what, StoredTask after, bool expected)
    {
        Assert.True(TaskReport.IsReportableChange(null, after) == expected, $"{what}: reportable should be {expected}");
        Assert.True(TaskReport.IsReportableChange(Received, after) == expected, $"{what}: reportable should be {expected}");
    }
}
