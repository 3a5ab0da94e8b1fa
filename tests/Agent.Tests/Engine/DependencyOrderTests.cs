using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>dependsOn, links and volumesFrom in the state machine: start order, failure, timeouts and stop order.</summary>
public sealed class DependencyOrderTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlySet<string> NotBusy = new HashSet<string>();

    private static ContainerDefinition Container(string name, bool essential = true, int? startTimeout = null, params (string Target, string Condition)[] dependsOn) => new()
    {
        Name = name,
        Image = "i",
        Essential = essential,
        StartTimeout = startTimeout,
        HealthCheck = new HealthCheck { Command = ["CMD", "true"] },
        DependsOn = dependsOn.Length == 0 ? null : [.. dependsOn.Select(d => new ContainerDependency { ContainerName = d.Target, Condition = d.Condition })],
    };

    /// <summary>"app" depends on "dep" with <paramref name="condition"/>.</summary>
    private static DependencyGraph Graph(string condition, int? startTimeout = null) => DependencyGraph.Of(new TaskDefinition
    {
        Family = "f",
        ContainerDefinitions = [Container("dep", essential: false, startTimeout: startTimeout), Container("app", dependsOn: ("dep", condition))],
    });

    private static StoredTask Task(ContainerRecord dep, LifecycleStatus app = LifecycleStatus.Pulled, LifecycleStatus desired = LifecycleStatus.Running) => new()
    {
        TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/default/t1",
        ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/default",
        TaskDefinitionJson = "{}",
        ReceivedAt = Now,
        DesiredStatus = desired,
        Containers =
        [
            dep with { Name = "dep", Essential = false },
            new ContainerRecord { Name = "app", KnownStatus = app, RuntimeId = app >= LifecycleStatus.Created ? "id-app" : null, Health = HealthStatuses.Unknown },
        ],
    };

    private static ContainerRecord Dep(LifecycleStatus status, int? exitCode = null, string? health = HealthStatuses.Unknown, bool started = true) => new()
    {
        Name = "dep",
        KnownStatus = status,
        RuntimeId = status >= LifecycleStatus.Created ? "id-dep" : null,
        StartedAt = started && status >= LifecycleStatus.Running ? Now.AddSeconds(-10) : null,
        ExitCode = exitCode,
        Health = health,
    };

    public static TheoryData<string, ContainerRecord, LifecycleStatus, ContainerActionKind?> Gates => new()
    {
        // START: created once the dependency exists, started once it runs.
        { ContainerConditions.Start, Dep(LifecycleStatus.Pulled), LifecycleStatus.Pulled, null },
        { ContainerConditions.Start, Dep(LifecycleStatus.Created), LifecycleStatus.Pulled, ContainerActionKind.Create },
        { ContainerConditions.Start, Dep(LifecycleStatus.Created), LifecycleStatus.Created, null },
        { ContainerConditions.Start, Dep(LifecycleStatus.Running), LifecycleStatus.Created, ContainerActionKind.Start },
        { ContainerConditions.Start, Dep(LifecycleStatus.Stopped, exitCode: 0), LifecycleStatus.Created, ContainerActionKind.Start },
        // COMPLETE: only once it has exited, with any code.
        { ContainerConditions.Complete, Dep(LifecycleStatus.Running), LifecycleStatus.Pulled, null },
        { ContainerConditions.Complete, Dep(LifecycleStatus.Stopped, exitCode: 3), LifecycleStatus.Pulled, ContainerActionKind.Create },
        { ContainerConditions.Complete, Dep(LifecycleStatus.Stopped, exitCode: 3), LifecycleStatus.Created, ContainerActionKind.Start },
        // SUCCESS: only once it has exited 0.
        { ContainerConditions.Success, Dep(LifecycleStatus.Running), LifecycleStatus.Pulled, null },
        { ContainerConditions.Success, Dep(LifecycleStatus.Stopped, exitCode: 0), LifecycleStatus.Pulled, ContainerActionKind.Create },
        // HEALTHY: only while its health check passes.
        { ContainerConditions.Healthy, Dep(LifecycleStatus.Running), LifecycleStatus.Pulled, null },
        { ContainerConditions.Healthy, Dep(LifecycleStatus.Running, health: HealthStatuses.Unhealthy), LifecycleStatus.Pulled, null },
        { ContainerConditions.Healthy, Dep(LifecycleStatus.Running, health: HealthStatuses.Healthy), LifecycleStatus.Pulled, ContainerActionKind.Create },
        { ContainerConditions.Healthy, Dep(LifecycleStatus.Running, health: HealthStatuses.Healthy), LifecycleStatus.Created, ContainerActionKind.Start },
        // volumesFrom: the source must exist.
        { ContainerOrdering.Create, Dep(LifecycleStatus.Pulled), LifecycleStatus.Pulled, null },
        { ContainerOrdering.Create, Dep(LifecycleStatus.Created), LifecycleStatus.Pulled, ContainerActionKind.Create },
        { ContainerOrdering.Create, Dep(LifecycleStatus.Created), LifecycleStatus.Created, ContainerActionKind.Start },
    };

    [Theory]
    [MemberData(nameof(Gates))]
    public void Advance_DependencyState_GatesTheNextStep(string condition, ContainerRecord dep, LifecycleStatus app, ContainerActionKind? expected)
    {
        var (task, actions) = TaskStateMachine.Advance(Task(dep, app), NotBusy, Now, Graph(condition));

        Assert.Equal(expected is null ? [] : [new ContainerAction("app", expected.Value)], actions.Where(a => a.Container == "app"));
        Assert.Equal(LifecycleStatus.Running, task.DesiredStatus);
    }

    [Fact]
    public void Advance_DependencyNotPulledYet_ImagesStillPulledUpFront()
    {
        var (_, actions) = TaskStateMachine.Advance(Task(Dep(LifecycleStatus.None), LifecycleStatus.None), NotBusy, Now, Graph(ContainerConditions.Success));

        Assert.Equal([new ContainerAction("dep", ContainerActionKind.Pull), new ContainerAction("app", ContainerActionKind.Pull)], actions);
    }

    public static TheoryData<string, ContainerRecord, string> Impossible => new()
    {
        { ContainerConditions.Success, Dep(LifecycleStatus.Stopped, exitCode: 1), "CannotStartContainerError: container 'app' depends on 'dep' (SUCCESS), which exited with code 1" },
        { ContainerConditions.Success, Dep(LifecycleStatus.Stopped, started: false), "CannotStartContainerError: container 'app' depends on 'dep' (SUCCESS), which stopped without running" },
        { ContainerConditions.Complete, Dep(LifecycleStatus.Stopped, started: false), "CannotStartContainerError: container 'app' depends on 'dep' (COMPLETE), which stopped without running" },
        { ContainerConditions.Start, Dep(LifecycleStatus.Stopped, started: false), "CannotStartContainerError: container 'app' depends on 'dep' (START), which stopped without running" },
        { ContainerConditions.Healthy, Dep(LifecycleStatus.Stopped, exitCode: 0), "CannotStartContainerError: container 'app' depends on 'dep' (HEALTHY), which stopped before it was healthy" },
        { ContainerOrdering.Create, Dep(LifecycleStatus.Stopped, started: false) with { RuntimeId = null }, "CannotStartContainerError: container 'app' depends on 'dep' (volumesFrom), which was never created" },
    };

    [Theory]
    [MemberData(nameof(Impossible))]
    public void Advance_DependencyCanNoLongerBeMet_TaskStopsWithReason(string condition, ContainerRecord dep, string reason)
    {
        var (task, actions) = TaskStateMachine.Advance(Task(dep), NotBusy, Now, Graph(condition));

        Assert.Empty(actions);
        Assert.Equal(LifecycleStatus.Stopped, task.DesiredStatus);
        Assert.Equal(LifecycleStatus.Stopped, task.KnownStatus);
        Assert.Equal(TaskStopCode.TaskFailedToStart, task.StopCode);
        Assert.Equal(reason, task.StoppedReason);
        Assert.Equal(reason, task.Container("app")!.Reason);
    }

    [Theory]
    [InlineData(ContainerConditions.Complete, "complete")]
    [InlineData(ContainerConditions.Success, "exit successfully")]
    [InlineData(ContainerConditions.Healthy, "become healthy")]
    public void Advance_DependencyStartTimeoutPassed_TaskStops(string condition, string goal)
    {
        var dep = Dep(LifecycleStatus.Running) with { StartedAt = Now.AddSeconds(-30) };
        var graph = Graph(condition, startTimeout: 30);

        var (waiting, _) = TaskStateMachine.Advance(Task(dep), NotBusy, Now.AddSeconds(-1), graph);
        var (task, actions) = TaskStateMachine.Advance(Task(dep), NotBusy, Now, graph);

        Assert.Equal(LifecycleStatus.Running, waiting.DesiredStatus);
        Assert.Equal(Now, graph.NextDeadline(Task(dep), Now.AddSeconds(-1)));
        Assert.Equal([new ContainerAction("dep", ContainerActionKind.Stop)], actions);
        Assert.Equal($"CannotStartContainerError: container 'app' gave up waiting for 'dep' to {goal} within its startTimeout of 30 s", task.StoppedReason);
        Assert.Equal(LifecycleStatus.Stopped, task.DesiredStatus);
        Assert.Equal(LifecycleStatus.Stopped, task.Container("app")!.KnownStatus);
    }

    [Fact]
    public void NextDeadline_NoStartTimeoutOrNothingWaiting_None()
    {
        var running = Dep(LifecycleStatus.Running);

        Assert.Null(Graph(ContainerConditions.Healthy).NextDeadline(Task(running), Now));
        Assert.Null(Graph(ContainerConditions.Healthy, 30).NextDeadline(Task(running, LifecycleStatus.Running), Now));
        Assert.Null(Graph(ContainerConditions.Start, 30).NextDeadline(Task(running), Now));
    }

    [Fact]
    public void Advance_Stopping_DependentsStopBeforeTheirDependencies()
    {
        var graph = Graph(ContainerConditions.Start);
        var both = Task(Dep(LifecycleStatus.Running), LifecycleStatus.Running, desired: LifecycleStatus.Stopped);

        var (first, firstActions) = TaskStateMachine.Advance(both, NotBusy, Now, graph);
        var appStopped = first.WithContainer(first.Container("app")! with { KnownStatus = LifecycleStatus.Stopped, ExitCode = 0 });
        var (_, secondActions) = TaskStateMachine.Advance(appStopped, NotBusy, Now, graph);

        Assert.Equal([new ContainerAction("app", ContainerActionKind.Stop)], firstActions);
        Assert.Equal([new ContainerAction("dep", ContainerActionKind.Stop)], secondActions);
    }

    [Fact]
    public void Advance_StoppingWhileDependentNeverStarted_DependencyStopsAtOnce()
    {
        var (task, actions) = TaskStateMachine.Advance(Task(Dep(LifecycleStatus.Running), LifecycleStatus.Pulled, LifecycleStatus.Stopped), NotBusy, Now, Graph(ContainerConditions.Success));

        Assert.Equal(LifecycleStatus.Stopped, task.Container("app")!.KnownStatus);
        Assert.Equal([new ContainerAction("dep", ContainerActionKind.Stop)], actions);
    }

    [Fact]
    public void Of_LinksAndVolumesFrom_ImplyStartAndCreate()
    {
        var graph = DependencyGraph.Of(new TaskDefinition
        {
            Family = "f",
            ContainerDefinitions =
            [
                new ContainerDefinition { Name = "db" },
                new ContainerDefinition { Name = "data" },
                new ContainerDefinition { Name = "web", Links = ["db:database"], VolumesFrom = [new VolumeFrom { SourceContainer = "data" }] },
            ],
        });

        Assert.Equal(
            [("db", ContainerConditions.Start), ("data", ContainerOrdering.Create)],
            graph.DependenciesOf("web").Select(d => (d.ContainerName!, d.Condition!)));
        Assert.Equal(["web"], graph.DependentsOf("db"));
    }

    [Theory]
    [InlineData("""[{"name":"a","dependsOn":[{"containerName":"b","condition":"START"}]},{"name":"b","links":["a"]}]""", "CannotCreateContainerError: the containers' dependencies form a cycle: a -> b -> a.")]
    [InlineData("""[{"name":"a","dependsOn":[{"containerName":"x","condition":"START"}]}]""", "CannotCreateContainerError: container 'a' depends on 'x', which is not in the task.")]
    [InlineData("""[{"name":"a","dependsOn":[{"containerName":"b","condition":"HEALTHY"}]},{"name":"b"}]""", "CannotCreateContainerError: container 'a' waits for 'b' to be HEALTHY, but it has no health check.")]
    public void Problem_OrderingThatCanNeverWork_Explained(string containers, string reason)
    {
        var definition = Orchestrator.Ecs.Json.EcsJson.Deserialize<TaskDefinition>($$"""{"family":"f","containerDefinitions":{{containers}}}""");

        Assert.Equal(reason, DependencyGraph.Problem(definition));
    }
}
