using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.State;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Agents;

public sealed class TaskReportApplierTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static TaskRecord Stored(string lastStatus = TaskStatus.Running) => new()
    {
        ClusterName = "default",
        Reserved = new TaskRequirements(0, 64, [], []),
        Task = new EcsTask
        {
            TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef",
            LastStatus = lastStatus,
            HealthStatus = HealthStatuses.Unknown,
            Version = 3,
            Containers =
            [
                new Container { Name = "web", LastStatus = lastStatus, HealthStatus = HealthStatuses.Unknown },
                new Container { Name = "sidecar", LastStatus = lastStatus, HealthStatus = HealthStatuses.Unknown },
            ],
        },
    };

    private static TaskState Report(Status status, string taskHealth, string webHealth, string sidecarHealth = "")
    {
        var state = new TaskState { TaskArn = Stored().Arn, LastStatus = status, HealthStatus = taskHealth };
        state.Containers.Add(new ContainerState { Name = "web", LastStatus = status, HealthStatus = webHealth });
        state.Containers.Add(new ContainerState { Name = "sidecar", LastStatus = status, HealthStatus = sidecarHealth });
        return state;
    }

    [Fact]
    public void Apply_HealthChangesAndContainerExits_AreRecordedAsTaskEvents_OnceEach()
    {
        var healthy = TaskReportApplier.Apply(Stored(), Report(Status.Running, "HEALTHY", "HEALTHY"), Now);
        var again = TaskReportApplier.Apply(healthy, Report(Status.Running, "HEALTHY", "HEALTHY"), Now.AddSeconds(1));
        var exited = Report(Status.Running, "UNHEALTHY", "UNHEALTHY");
        exited.Containers[1].LastStatus = Status.Stopped;
        exited.Containers[1].ExitCode = 3;
        var after = TaskReportApplier.Apply(again, exited, Now.AddSeconds(2));

        Assert.Equal(
            [
                new TaskEvent(Now, "container web is HEALTHY"),
                new TaskEvent(Now, "task is HEALTHY"),
                new TaskEvent(Now.AddSeconds(2), "container web is UNHEALTHY"),
                new TaskEvent(Now.AddSeconds(2), "container sidecar exited with code 3"),
                new TaskEvent(Now.AddSeconds(2), "task is UNHEALTHY"),
            ],
            after.Events);
    }

    [Fact]
    public void WithEvent_KeepsTheLastFiftyOnly()
    {
        var task = Stored();
        for (var i = 0; i < 60; i++)
        {
            task = task.WithEvent(Now.AddSeconds(i), $"event {i}");
        }

        Assert.Equal(TaskRecord.MaxEvents, task.Events.Count);
        Assert.Equal("event 10", task.Events[0].Message);
        Assert.Equal("event 59", task.Events[^1].Message);
    }

    [Fact]
    public void Apply_AgentStoppingTheTask_DesiredStoppedAtOnceWithWhy_ItsStoppedReportKeepsThat()
    {
        var report = Report(Status.Running, "", "");
        report.Containers[0].LastStatus = Status.Stopped;
        report.Containers[0].ExitCode = 137;
        report.Stopping = true;
        report.StopCode = TaskStopCode.EssentialContainerExited;
        report.StoppedReason = "Essential container in task exited";

        var stopping = TaskReportApplier.Apply(Stored(), report, Now).Task;
        var final = Report(Status.Stopped, "", "");
        final.StopCode = TaskStopCode.EssentialContainerExited;
        final.StoppedReason = "Essential container in task exited";
        var stopped = TaskReportApplier.Apply(Stored() with { Task = stopping }, final, Now.AddSeconds(30)).Task;

        Assert.Equal(TaskStatus.Running, stopping.LastStatus); // the sidecar still runs: its resources stay held
        Assert.Equal(TaskStatus.Stopped, stopping.DesiredStatus);
        Assert.Equal(Now, stopping.StoppingAt);
        Assert.Equal(TaskStopCode.EssentialContainerExited, stopping.StopCode);
        Assert.Equal(137, stopping.Containers[0].ExitCode);
        Assert.Equal(TaskStatus.Stopped, stopped.LastStatus);
        Assert.Equal(Now, stopped.StoppingAt);
        Assert.Equal("Essential container in task exited", stopped.StoppedReason);
    }

    [Fact]
    public void Apply_AgentStoppingATaskTheUserStopped_KeepsTheUsersReason()
    {
        var stored = Stored() with
        {
            Task = Stored().Task with { DesiredStatus = TaskStatus.Stopped, StopCode = TaskStopCode.UserInitiated, StoppedReason = "by me", StoppingAt = Now },
        };
        var report = Report(Status.Running, "", "");
        report.Stopping = true;
        report.StopCode = TaskStopCode.EssentialContainerExited;

        var task = TaskReportApplier.Apply(stored, report, Now.AddSeconds(1)).Task;

        Assert.Equal(TaskStopCode.UserInitiated, task.StopCode);
        Assert.Equal("by me", task.StoppedReason);
    }

    [Fact]
    public void Apply_HealthReported_TaskAndContainersFollowIt()
    {
        var healthy = TaskReportApplier.Apply(Stored(), Report(Status.Running, HealthStatuses.Healthy, HealthStatuses.Healthy), Now);
        var unhealthy = TaskReportApplier.Apply(healthy, Report(Status.Running, HealthStatuses.Unhealthy, HealthStatuses.Unhealthy), Now);

        Assert.Equal(HealthStatuses.Healthy, healthy.Task.HealthStatus);
        Assert.Equal(HealthStatuses.Healthy, healthy.Task.Containers[0].HealthStatus);
        Assert.Equal(4, healthy.Task.Version);
        Assert.Equal(HealthStatuses.Unhealthy, unhealthy.Task.HealthStatus);
        Assert.Equal(HealthStatuses.Unhealthy, unhealthy.Task.Containers[0].HealthStatus);
        Assert.Equal(5, unhealthy.Task.Version);
    }

    [Fact]
    public void Apply_NoHealthInReport_KeepsWhatWasStored()
    {
        var healthy = TaskReportApplier.Apply(Stored(), Report(Status.Running, HealthStatuses.Healthy, HealthStatuses.Healthy), Now);

        var next = TaskReportApplier.Apply(healthy, Report(Status.Running, "", ""), Now);

        Assert.Same(healthy, next);
        Assert.Equal(HealthStatuses.Unknown, next.Task.Containers[1].HealthStatus);
    }

    [Fact]
    public void Apply_SameHealthAgain_ChangesNothing()
    {
        var healthy = TaskReportApplier.Apply(Stored(), Report(Status.Running, HealthStatuses.Healthy, HealthStatuses.Healthy), Now);

        Assert.Same(healthy, TaskReportApplier.Apply(healthy, Report(Status.Running, HealthStatuses.Healthy, HealthStatuses.Healthy), Now));
    }

    [Fact]
    public void Apply_StoppedTask_HealthNoLongerChanges()
    {
        var stopped = Stored(TaskStatus.Stopped);

        Assert.Same(stopped, TaskReportApplier.Apply(stopped, Report(Status.Running, HealthStatuses.Unhealthy, HealthStatuses.Unhealthy), Now));
    }
}
