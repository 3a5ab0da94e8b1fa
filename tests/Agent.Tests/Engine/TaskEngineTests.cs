using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>The task engine against a fake Docker driver: no Docker, milliseconds per test.</summary>
public sealed class TaskEngineTests : IAsyncLifetime
{
    private const string Image = "local/busybox:1";

    private readonly EngineHarness _harness = new(options: new AgentOptions { StopTimeout = TimeSpan.FromSeconds(12) });

    private FakeDockerDriver Docker => _harness.Fake;

    private Orchestrator.Agent.State.AgentStore Store => _harness.Store;

    public async ValueTask InitializeAsync()
    {
        Docker.Images[Image] = "sha256:present";
        await _harness.StartAsync();
    }

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task RunTask_ImagePresent_ReachesRunningWithDynamicBindings()
    {
        var command = RunTask(Definition(Container("web", containerPorts: 80)));

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        var container = Assert.Single(task.Containers);
        Assert.Equal(LifecycleStatus.Running, container.KnownStatus);
        Assert.Equal([new BindingRecord("0.0.0.0", 80, 32768, "tcp")], container.NetworkBindings);
        Assert.NotNull(task.StartedAt);
        Assert.Empty(Docker.Pulls);
        var change = Assert.Single(Store.Changes(command.TaskArn));
        Assert.Equal(ReportedStatus.Running, change.Task.LastStatus);
        var reported = Assert.Single(change.Task.Containers);
        Assert.Equal(ReportedStatus.Running, reported.LastStatus);
        Assert.Equal(container.RuntimeId, reported.RuntimeId);
        Assert.Equal(32768, Assert.Single(reported.NetworkBindings).HostPort);
    }

    [Fact]
    public async Task RunTask_ImageMissing_PullsOnceThenRuns()
    {
        Docker.Images.Clear();
        var command = RunTask(Definition(Container("web")));

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        Assert.Equal([Image], Docker.Pulls);
        Assert.NotNull(task.PullStartedAt);
        Assert.NotNull(task.PullStoppedAt);
        Assert.StartsWith("sha256:", task.Containers[0].ImageDigest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunTask_NewContainer_CreatedWithEcsNameAndLabels()
    {
        var command = RunTask(Definition(Container("web")));

        _harness.Engine.RunTask(command);

        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        var spec = Assert.Single(Docker.Created);
        Assert.Matches("^ecs-web-3-web-[0-9a-f]{20}$", spec.Name);
        Assert.Equal(command.TaskArn, spec.Labels[ContainerSpecBuilder.TaskArnLabel]);
        Assert.Equal("web", spec.Labels[ContainerSpecBuilder.ContainerNameLabel]);
        Assert.Equal("web", spec.Labels[ContainerSpecBuilder.FamilyLabel]);
        Assert.Equal("3", spec.Labels[ContainerSpecBuilder.RevisionLabel]);
        Assert.Equal("default", spec.Labels[ContainerSpecBuilder.ClusterLabel]);
        Assert.Equal(EngineHarness.ContainerInstanceArn, spec.Labels[ContainerSpecBuilder.ContainerInstanceLabel]);
    }

    public static TheoryData<string, string> StartFailures => new()
    {
        { "pull", "CannotPullContainerError: Get \"http://127.0.0.1:5999/v2/\": connection refused" },
        { "create", "CannotCreateContainerError: invalid reference format" },
        { "start", "CannotStartContainerError: port is already allocated" },
    };

    [Theory]
    [MemberData(nameof(StartFailures))]
    public async Task RunTask_DockerFails_StoppedTaskFailedToStartWithReason(string stage, string expectedReason)
    {
        var message = expectedReason[(expectedReason.IndexOf(": ", StringComparison.Ordinal) + 2)..];
        switch (stage)
        {
            case "pull":
                Docker.Images.Clear();
                Docker.PullFailures[Image] = message;
                break;
            case "create":
                Docker.CreateFailures[Image] = message;
                break;
            default:
                Docker.StartFailures[Image] = message;
                break;
        }

        var command = RunTask(Definition(Container("web")));
        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal(TaskStopCode.TaskFailedToStart, task.StopCode);
        Assert.Equal(expectedReason, task.StoppedReason);
        Assert.Equal(expectedReason, task.Containers[0].Reason);
        var change = Assert.Single(Store.Changes(command.TaskArn));
        Assert.Equal(ReportedStatus.Stopped, change.Task.LastStatus);
        Assert.Equal(TaskStopCode.TaskFailedToStart, change.Task.StopCode);
        Assert.Equal(expectedReason, change.Task.StoppedReason);
        Assert.Equal(expectedReason, change.Task.Containers[0].Reason);
        Assert.False(change.Task.Containers[0].ExitCode.HasValue);
    }

    [Fact]
    public async Task RunTask_OneOfTwoImagesFailsToPull_OtherContainerStoppedToo()
    {
        Docker.PullFailures["missing/image:1"] = "not found";
        var command = RunTask(Definition(Container("web"), Container("sidecar", image: "missing/image:1")));

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal(TaskStopCode.TaskFailedToStart, task.StopCode);
        Assert.Equal("CannotPullContainerError: not found", task.StoppedReason);
        Assert.All(task.Containers, c => Assert.Equal(LifecycleStatus.Stopped, c.KnownStatus));
    }

    [Fact]
    public async Task ContainerExitsRightAfterItsStartWasReadBack_TheDieEventDuringTheStartIsNotLost()
    {
        // The start's read-back sees the process running; it exits and Docker says "die" before the start has
        // completed in the engine (a short-lived command on a loaded machine). The task must still stop.
        var exited = 0;
        Docker.AfterInspect = async id =>
        {
            if (id == Docker.IdOf("web") && Interlocked.Exchange(ref exited, 1) == 0)
            {
                Docker.Exit(id, exitCode: 0);
                await Task.Delay(300, TestContext.Current.CancellationToken); // the die event reaches the engine first
            }
        };
        var command = RunTask(Definition(Container("web")));

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped, TimeSpan.FromSeconds(10));
        Assert.Equal(1, exited);
        Assert.Equal(0, task.Container("web")!.ExitCode);
        Assert.Equal(TaskStopCode.EssentialContainerExited, task.StopCode);
    }

    [Fact]
    public async Task EssentialContainerExits_TaskAndOtherContainersStopped()
    {
        var command = RunTask(Definition(Container("web"), Container("sidecar", essential: false, stopTimeout: 4)));
        _harness.Engine.RunTask(command);
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);

        Docker.Exit(Docker.IdOf("web"), exitCode: 3);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal(TaskStopCode.EssentialContainerExited, task.StopCode);
        Assert.Equal("Essential container in task exited", task.StoppedReason);
        Assert.Equal(3, task.Container("web")!.ExitCode);
        Assert.Equal(143, task.Container("sidecar")!.ExitCode);
        Assert.Equal([(Docker.IdOf("sidecar"), TimeSpan.FromSeconds(4))], Docker.Stops);
        Assert.NotNull(task.ExecutionStoppedAt);
        var last = Store.Changes(command.TaskArn)[^1].Task;
        Assert.Equal(ReportedStatus.Stopped, last.LastStatus);
        Assert.Equal(TaskStopCode.EssentialContainerExited, last.StopCode);
        Assert.Equal([3, 143], last.Containers.Select(c => c.ExitCode));
    }

    [Fact]
    public async Task NonEssentialContainerExits_TaskKeepsRunning()
    {
        var command = RunTask(Definition(Container("web"), Container("sidecar", essential: false)));
        _harness.Engine.RunTask(command);
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);

        Docker.Exit(Docker.IdOf("sidecar"), exitCode: 0);

        var task = await Store.WaitForTaskAsync(
            command.TaskArn, t => t.Container("sidecar")!.KnownStatus == LifecycleStatus.Stopped, "sidecar STOPPED");
        Assert.Equal(LifecycleStatus.Running, task.KnownStatus);
        Assert.Equal(LifecycleStatus.Running, task.DesiredStatus);
        Assert.Equal(0, task.Container("sidecar")!.ExitCode);
        Assert.Empty(Docker.Stops);
        var last = Store.Changes(command.TaskArn)[^1].Task;
        Assert.Equal(ReportedStatus.Running, last.LastStatus);
        Assert.Equal(ReportedStatus.Stopped, last.Containers[1].LastStatus);
        Assert.Equal(0, last.Containers[1].ExitCode);
    }

    [Fact]
    public async Task ContainerOomKilled_StoppedWithOutOfMemoryReason()
    {
        var command = RunTask(Definition(Container("web")));
        _harness.Engine.RunTask(command);
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);

        Docker.Exit(Docker.IdOf("web"), exitCode: 137, oomKilled: true);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal("OutOfMemoryError: Container killed due to memory usage", task.Containers[0].Reason);
        Assert.Equal(137, task.Containers[0].ExitCode);
        Assert.Equal(TaskStopCode.EssentialContainerExited, task.StopCode);
    }

    [Theory]
    [InlineData(7, 7)]
    [InlineData(null, 12)]
    public async Task StopTask_RunningTask_StopsWithTimeoutAndReportsUserInitiated(int? stopTimeout, int expectedSeconds)
    {
        var command = RunTask(Definition(Container("web", stopTimeout: stopTimeout)));
        _harness.Engine.RunTask(command);
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);

        _harness.Engine.StopTask(command.TaskArn, "Scaling down");

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal([(Docker.IdOf("web"), TimeSpan.FromSeconds(expectedSeconds))], Docker.Stops);
        Assert.Equal(TaskStopCode.UserInitiated, task.StopCode);
        Assert.Equal("Scaling down", task.StoppedReason);
        Assert.Equal(143, task.Containers[0].ExitCode);
        Assert.Equal([ReportedStatus.Running, ReportedStatus.Stopped], Store.Changes(command.TaskArn).Select(c => c.Task.LastStatus));
    }

    [Fact]
    public async Task StopTask_AfterEssentialExit_KeepsOriginalReason()
    {
        var command = RunTask(Definition(Container("web")));
        _harness.Engine.RunTask(command);
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        Docker.Exit(Docker.IdOf("web"), exitCode: 1);
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);

        _harness.Engine.StopTask(command.TaskArn, "too late");
        await FlushAsync();

        var task = Store.LoadTasks().Single(t => t.TaskArn == command.TaskArn);
        Assert.Equal(TaskStopCode.EssentialContainerExited, task.StopCode);
        Assert.Equal("Essential container in task exited", task.StoppedReason);
    }

    [Fact]
    public async Task StopTask_WhilePulling_StopsWithoutCreatingContainers()
    {
        Docker.Images.Clear();
        Docker.PullGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var command = RunTask(Definition(Container("web")));
        _harness.Engine.RunTask(command);
        await Store.WaitForAsync(() => Docker.Pulls.IsEmpty ? null : "", "the pull to start");

        _harness.Engine.StopTask(command.TaskArn, "");

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Empty(Docker.Created);
        Assert.Equal(TaskStopCode.UserInitiated, task.StopCode);
        Assert.Equal("Task stopped by user", task.StoppedReason);
    }

    [Fact]
    public async Task RunTask_SameTaskTwice_ContainersCreatedOnce()
    {
        var command = RunTask(Definition(Container("web")));

        _harness.Engine.RunTask(command);
        _harness.Engine.RunTask(command);
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        _harness.Engine.RunTask(command);
        var other = RunTask(Definition(Container("web")));
        _harness.Engine.RunTask(other);
        await Store.WaitForStatusAsync(other.TaskArn, LifecycleStatus.Running);

        Assert.Equal(2, Docker.Created.Count);
        Assert.Single(Docker.Created, s => s.Labels[ContainerSpecBuilder.TaskArnLabel] == command.TaskArn);
        Assert.Single(Store.Changes(command.TaskArn));
    }

    [Theory]
    [InlineData("awsvpc", "ResourceInitializationError: this agent does not run awsvpc tasks: start it with --awsvpc-interface.")]
    [InlineData("nat", "ResourceInitializationError: networkMode nat is not supported; use bridge, host, none or awsvpc.")]
    public async Task RunTask_UnsupportedNetworkMode_StoppedWithReason(string networkMode, string expectedReason)
    {
        var command = RunTask(Definition(Container("web")) with { NetworkMode = networkMode });

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal(TaskStopCode.TaskFailedToStart, task.StopCode);
        Assert.Equal(expectedReason, task.StoppedReason);
        Assert.Empty(Docker.Created);
        Assert.Equal(expectedReason, Assert.Single(Store.Changes(command.TaskArn)).Task.StoppedReason);
    }

    [Fact]
    public async Task RunTask_InvalidJson_StoppedWithReason()
    {
        var command = new RunTaskCommand { TaskArn = NewTaskArn(), ClusterArn = ClusterArn, TaskDefinitionJson = "{not json" };

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.StartsWith("CannotCreateContainerError: the task definition or overrides could not be read", task.StoppedReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunTask_HostNetwork_ReportsMappingsAsBindings()
    {
        var definition = Definition(Container("web") with { PortMappings = [new PortMapping { ContainerPort = 8080, HostPort = 8080 }] })
            with
        { NetworkMode = NetworkModes.Host };
        var command = RunTask(definition);

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        Assert.Equal([new BindingRecord("0.0.0.0", 8080, 8080, "tcp")], task.Containers[0].NetworkBindings);
        Assert.Equal("host", Assert.Single(Docker.Created).NetworkMode);
    }

    [Fact]
    public async Task StateChanges_SeveralTasks_SequenceNumbersStrictlyIncrease()
    {
        var commands = Enumerable.Range(0, 5).Select(_ => RunTask(Definition(Container("web")))).ToList();
        foreach (var command in commands)
        {
            _harness.Engine.RunTask(command);
        }

        foreach (var command in commands)
        {
            await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
            _harness.Engine.StopTask(command.TaskArn, "done");
        }

        foreach (var command in commands)
        {
            await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        }

        var sequences = Store.ReadOutbox(0).Select(c => c.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (ulong)i), sequences);
        Assert.Equal(10UL, Store.LastSequence);
    }

    [Fact]
    public async Task Restart_ContainerStillRunning_AdoptedNotRestarted()
    {
        var command = RunTask(Definition(Container("web", containerPorts: 80)));
        _harness.Engine.RunTask(command);
        var before = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);

        await _harness.RestartAsync();
        _harness.Engine.RunTask(command); // the control plane repeats it: still not created twice

        await FlushAsync();
        Assert.Equal(LifecycleStatus.Running, Store.LoadTasks().Single(t => t.TaskArn == command.TaskArn).KnownStatus);
        Docker.Exit(Docker.IdOf("web"), exitCode: 0);
        var after = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Single(Docker.Created);
        Assert.Single(Docker.Started);
        Assert.Equal(before.Containers[0].RuntimeId, after.Containers[0].RuntimeId);
        Assert.Equal(before.Containers[0].NetworkBindings, after.Containers[0].NetworkBindings);
        Assert.Equal(0, after.Containers[0].ExitCode);
        Assert.Equal([ReportedStatus.Running, ReportedStatus.Stopped], Store.Changes(command.TaskArn).Select(c => c.Task.LastStatus));
    }

    [Fact]
    public async Task Restart_ContainerDiedWhileAgentDown_ReportedStoppedWithExitCode()
    {
        var command = RunTask(Definition(Container("web")));
        _harness.Engine.RunTask(command);
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        await _harness.Engine.DisposeAsync();
        Docker.Exit(Docker.IdOf("web"), exitCode: 42, announce: false);

        await _harness.RestartAsync();

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal(42, task.Containers[0].ExitCode);
        Assert.Equal(TaskStopCode.EssentialContainerExited, task.StopCode);
        Assert.Equal([ReportedStatus.Running, ReportedStatus.Stopped], Store.Changes(command.TaskArn).Select(c => c.Task.LastStatus));
        Assert.Single(Docker.Started);
    }

    [Fact]
    public async Task Restart_CrashedBetweenCreateAndSave_FindsContainerByNameAndStartsIt()
    {
        var definition = Definition(Container("web"));
        var command = RunTask(definition);
        var dockerName = ContainerSpecBuilder.NewDockerName(definition, "web");
        Store.SaveTask(new StoredTask
        {
            TaskArn = command.TaskArn,
            ClusterArn = command.ClusterArn,
            TaskDefinitionJson = command.TaskDefinitionJson,
            ReceivedAt = _harness.Time.GetUtcNow(),
            Containers = [new ContainerRecord { Name = "web", KnownStatus = LifecycleStatus.Pulled, DockerName = dockerName }],
        });
        var id = Docker.Preexisting(ContainerSpecBuilder.Build(
            definition, definition.ContainerDefinitions[0], null, dockerName, command.TaskArn, command.ClusterArn, EngineHarness.ContainerInstanceArn));

        await _harness.RestartAsync();

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        Assert.Equal(id, task.Containers[0].RuntimeId);
        Assert.Single(Docker.Created);
        Assert.Equal([id], Docker.Started);
    }

    [Fact]
    public async Task Restart_ContainersOfUnknownTasks_AreRemovedAndOthersKept()
    {
        var known = RunTask(Definition(Container("web")));
        _harness.Engine.RunTask(known);
        await Store.WaitForStatusAsync(known.TaskArn, LifecycleStatus.Running);
        var keptId = Docker.IdOf("web");
        var orphanDefinition = Definition(Container("ghost"));
        var orphan = Docker.Preexisting(ContainerSpecBuilder.Build(
            orphanDefinition, orphanDefinition.ContainerDefinitions[0], null, "ecs-ghost-1-ghost-0", "arn:aws:ecs:us-east-1:123456789012:task/default/" + new string('9', 32),
            known.ClusterArn, EngineHarness.ContainerInstanceArn));
        var otherAgents = Docker.Preexisting(ContainerSpecBuilder.Build(
            orphanDefinition, orphanDefinition.ContainerDefinitions[0], null, "ecs-ghost-1-other-0", "arn:aws:ecs:us-east-1:123456789012:task/default/" + new string('8', 32),
            known.ClusterArn, "arn:aws:ecs:us-east-1:123456789012:container-instance/default/someone-else"));

        await _harness.RestartAsync();
        await Store.WaitForStatusAsync(known.TaskArn, LifecycleStatus.Running);
        for (var i = 0; i < 200 && !Docker.Removed.Contains(orphan); i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Contains(orphan, Docker.Removed);
        Assert.DoesNotContain(otherAgents, Docker.Removed);
        Assert.DoesNotContain(keptId, Docker.Removed);
    }

    [Fact]
    public async Task DockerUnreachable_TaskWaitsInsteadOfFailing_AndStartsWhenItIsBack()
    {
        Docker.Unreachable = true;
        var command = RunTask(Definition(Container("web")));
        _harness.Engine.RunTask(command);
        await FlushAsync();

        var waiting = Store.LoadTasks().Single(t => t.TaskArn == command.TaskArn);
        Assert.NotEqual(LifecycleStatus.Stopped, waiting.KnownStatus);
        Assert.Empty(Docker.Created);

        Docker.Unreachable = false;
        for (var i = 0; i < 50 && Store.LoadTasks().Single(t => t.TaskArn == command.TaskArn).KnownStatus != LifecycleStatus.Running; i++)
        {
            _harness.FakeTime.Advance(TimeSpan.FromSeconds(5)); // retries and sweeps run on the engine's clock
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var running = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        Assert.Null(running.Containers[0].Reason);
    }

    [Fact]
    public async Task DockerEventStreamBreaks_ContainerDiesMeanwhile_NoticedAfterReconnect()
    {
        var command = RunTask(Definition(Container("web")));
        _harness.Engine.RunTask(command);
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);

        Docker.BreakEventStream();
        Docker.Exit(Docker.IdOf("web"), exitCode: 9, announce: false);

        for (var i = 0; i < 200 && Store.LoadTasks().Single(t => t.TaskArn == command.TaskArn).KnownStatus != LifecycleStatus.Stopped; i++)
        {
            _harness.FakeTime.Advance(TimeSpan.FromMilliseconds(500)); // past the reconnect back-off
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal(9, task.Containers[0].ExitCode);
        Assert.True(Docker.EventSubscriptions >= 2);
    }

    [Fact]
    public async Task StoppedTask_AfterCleanupWaitAndAcknowledgement_ContainersRemovedAndTaskForgotten()
    {
        var command = RunTask(Definition(Container("web")));
        _harness.Engine.RunTask(command);
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        _harness.Engine.StopTask(command.TaskArn, "done");
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        var id = Docker.IdOf("web");

        _harness.FakeTime.Advance(TimeSpan.FromMinutes(30));
        await FlushAsync();
        Assert.Empty(Docker.Removed);

        _harness.FakeTime.Advance(TimeSpan.FromMinutes(31));
        await FlushAsync();
        Assert.Empty(Docker.Removed); // the control plane has not acknowledged the STOPPED report yet
        Assert.Equal(2, Store.Changes(command.TaskArn).Count);

        Store.Acknowledge(Store.LastSequence);
        _harness.FakeTime.Advance(TimeSpan.FromSeconds(10));

        await Store.WaitForAsync(() => Store.LoadTasks().Any(t => t.TaskArn == command.TaskArn) ? null : "", "the task to be forgotten");
        Assert.Equal([id], Docker.Removed);
    }

    /// <summary>
    /// A round trip through the engine's loop, which handles messages in order: everything sent before has been
    /// handled once this returns. The probe task is refused at once (awsvpc), so it creates nothing.
    /// </summary>
    private async Task FlushAsync()
    {
        var probe = RunTask(Definition(Container("probe")) with { NetworkMode = NetworkModes.Awsvpc });
        _harness.Engine.RunTask(probe);
        await Store.WaitForStatusAsync(probe.TaskArn, LifecycleStatus.Stopped);
    }
}
