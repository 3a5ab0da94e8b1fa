using Orchestrator.Cli.Commands;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class TaskProgressTests
{
    private static readonly string Arn1 = Canned.TaskArn(Canned.TaskId1);
    private static readonly string Arn2 = Canned.TaskArn(Canned.TaskId2);

    private static TaskProgress Placed(params string[] statuses) =>
        new([Canned.Task(Canned.TaskId1, statuses[0]), .. statuses.Length > 1 ? [Canned.Task(Canned.TaskId2, statuses[1])] : Array.Empty<EcsTask>()]);

    private static TasksResponse Snapshot(string first, string? second = null) => new(
        [Canned.Task(Canned.TaskId1, first), .. second is null ? Array.Empty<EcsTask>() : [Canned.Task(Canned.TaskId2, second)]], []);

    public static TheoryData<string, string, string> States => new()
    {
        { TaskStatus.Pending, TaskStatus.Pending, nameof(WaitState.Waiting) },
        { TaskStatus.Running, TaskStatus.Pending, nameof(WaitState.Waiting) },
        { TaskStatus.Running, TaskStatus.Running, nameof(WaitState.Running) },
        { TaskStatus.Running, TaskStatus.Stopped, nameof(WaitState.Failed) },
        { TaskStatus.Stopped, TaskStatus.Pending, nameof(WaitState.Failed) },
        { TaskStatus.Running, TaskStatus.Stopping, nameof(WaitState.Waiting) },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void Observe_Statuses_GivesTheWaitState(string first, string second, string expected)
    {
        var progress = Placed(TaskStatus.Provisioning, TaskStatus.Provisioning);

        progress.Observe(Snapshot(first, second));

        Assert.Equal(expected, progress.State.ToString());
    }

    [Fact]
    public void Observe_ChangedAndUnchangedTasks_ReportsOnlyTheChangesInPlacementOrder()
    {
        var progress = Placed(TaskStatus.Pending, TaskStatus.Pending);

        var changes = progress.Observe(new TasksResponse(
            [Canned.Task(Canned.TaskId2, TaskStatus.Running), Canned.Task(Canned.TaskId1, TaskStatus.Pending)], []));
        var again = progress.Observe(Snapshot(TaskStatus.Running, TaskStatus.Running));

        Assert.Equal([new StatusChange(Arn2, TaskStatus.Pending, TaskStatus.Running)], changes);
        Assert.Equal([new StatusChange(Arn1, TaskStatus.Pending, TaskStatus.Running)], again);
        Assert.Equal([TaskStatus.Running, TaskStatus.Running], progress.Tasks.Select(t => t.LastStatus));
    }

    [Fact]
    public void Observe_TaskReportedMissing_Fails()
    {
        var progress = Placed(TaskStatus.Pending);

        progress.Observe(new TasksResponse([], [new Failure(Arn1, "MISSING")]));

        Assert.Equal(WaitState.Failed, progress.State);
        Assert.Equal([new Failure(Arn1, "MISSING")], progress.Failures);
    }

    [Fact]
    public void Observe_TaskThatWasNotPlaced_IsIgnored()
    {
        var progress = Placed(TaskStatus.Pending);

        var changes = progress.Observe(Snapshot(TaskStatus.Running, TaskStatus.Stopped));

        Assert.Single(changes);
        Assert.Equal(WaitState.Running, progress.State);
        Assert.Single(progress.Tasks);
    }
}
