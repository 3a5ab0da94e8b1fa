using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>dependsOn and health through the engine, against the fake Docker driver.</summary>
public sealed class TaskEngineOrderingTests : IAsyncLifetime
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

    private static ContainerDefinition DependsOn(ContainerDefinition container, string target, string condition) =>
        container with { DependsOn = [.. container.DependsOn ?? [], new ContainerDependency { ContainerName = target, Condition = condition }] };

    private static ContainerDefinition WithHealthCheck(ContainerDefinition container) =>
        container with { HealthCheck = new HealthCheck { Command = ["CMD-SHELL", "true"] } };

    [Fact]
    public async Task DependsOnSuccess_AppCreatedOnlyAfterInitExitedZero()
    {
        var command = RunTask(Definition(Container("init", essential: false), DependsOn(Container("app"), "init", ContainerConditions.Success)));
        _harness.Engine.RunTask(command);
        await Store.WaitForTaskAsync(command.TaskArn, t => t.Container("init")!.KnownStatus == LifecycleStatus.Running, "init RUNNING");
        await FlushAsync();
        Assert.Single(Docker.Created);

        Docker.Exit(Docker.IdOf("init"), 0);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        Assert.Equal(["init", "app"], Docker.Created.Select(s => s.Labels[ContainerSpecBuilder.ContainerNameLabel]));
        Assert.Equal(0, task.Container("init")!.ExitCode);
    }

    [Fact]
    public async Task DependsOnSuccess_InitExitsOne_TaskStoppedWithReasonAppNeverCreated()
    {
        var command = RunTask(Definition(Container("init", essential: false), DependsOn(Container("app"), "init", ContainerConditions.Success)));
        _harness.Engine.RunTask(command);
        await Store.WaitForTaskAsync(command.TaskArn, t => t.Container("init")!.KnownStatus == LifecycleStatus.Running, "init RUNNING");

        Docker.Exit(Docker.IdOf("init"), 1);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal(TaskStopCode.TaskFailedToStart, task.StopCode);
        Assert.Equal("CannotStartContainerError: container 'app' depends on 'init' (SUCCESS), which exited with code 1", task.StoppedReason);
        Assert.Single(Docker.Created);
        Assert.Equal(task.StoppedReason, Store.Changes(command.TaskArn)[^1].Task.StoppedReason);
    }

    [Fact]
    public async Task DependsOnHealthy_AppStartsOnceDbIsHealthy_HealthReported()
    {
        var command = RunTask(Definition(WithHealthCheck(Container("db")), DependsOn(Container("app"), "db", ContainerConditions.Healthy)));
        _harness.Engine.RunTask(command);
        await Store.WaitForTaskAsync(command.TaskArn, t => t.Container("db")!.KnownStatus == LifecycleStatus.Running, "db RUNNING");
        await FlushAsync();
        Assert.Single(Docker.Created);

        Docker.SetHealth(Docker.IdOf("db"), "healthy");

        var running = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        Assert.Equal(HealthStatuses.Healthy, running.Container("db")!.Health);
        Assert.Null(running.Container("app")!.Health);
        var reported = Store.Changes(command.TaskArn)[^1].Task;
        Assert.Equal(HealthStatuses.Healthy, reported.HealthStatus);
        Assert.Equal(HealthStatuses.Healthy, reported.Containers[0].HealthStatus);
        Assert.Equal(HealthStatuses.Unknown, reported.Containers[1].HealthStatus);

        Docker.SetHealth(Docker.IdOf("db"), "unhealthy");

        await Store.WaitForTaskAsync(command.TaskArn, t => t.Container("db")!.Health == HealthStatuses.Unhealthy, "db UNHEALTHY");
        var unhealthy = Store.Changes(command.TaskArn)[^1].Task;
        Assert.Equal(HealthStatuses.Unhealthy, unhealthy.HealthStatus);
        Assert.Equal(ReportedStatus.Running, unhealthy.LastStatus);
    }

    [Fact]
    public async Task DependsOnHealthy_NeverHealthyWithinStartTimeout_TaskStops()
    {
        var db = WithHealthCheck(Container("db")) with { StartTimeout = 30 };
        var command = RunTask(Definition(db, DependsOn(Container("app"), "db", ContainerConditions.Healthy)));
        _harness.Engine.RunTask(command);
        await Store.WaitForTaskAsync(command.TaskArn, t => t.Container("db")!.KnownStatus == LifecycleStatus.Running, "db RUNNING");
        await FlushAsync();

        _harness.FakeTime.Advance(TimeSpan.FromSeconds(31));

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal("CannotStartContainerError: container 'app' gave up waiting for 'db' to become healthy within its startTimeout of 30 s", task.StoppedReason);
        Assert.Single(Docker.Created);
    }

    [Fact]
    public async Task StopTask_DependentStopsBeforeItsDependency()
    {
        var command = RunTask(Definition(Container("db"), DependsOn(Container("app"), "db", ContainerConditions.Start)));
        _harness.Engine.RunTask(command);
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);

        _harness.Engine.StopTask(command.TaskArn, "bye");

        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal([Docker.IdOf("app"), Docker.IdOf("db")], Docker.Stops.Select(s => s.Id));
    }

    [Fact]
    public async Task LinksAndVolumesFrom_CreatedAfterTheirSourcesByDockerName()
    {
        var web = Container("web") with { Links = ["db:database"], VolumesFrom = [new VolumeFrom { SourceContainer = "data", ReadOnly = true }] };
        var command = RunTask(Definition(web, Container("db"), Container("data", essential: false)));

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        var spec = Docker.Created.Single(s => s.Labels[ContainerSpecBuilder.ContainerNameLabel] == "web");
        Assert.Equal([$"{task.Container("db")!.DockerName}:database"], spec.Links);
        Assert.Equal([$"{task.Container("data")!.DockerName}:ro"], spec.VolumesFrom);
        Assert.Equal("web", Docker.Created.Last().Labels[ContainerSpecBuilder.ContainerNameLabel]);
    }

    private async Task FlushAsync()
    {
        var probe = RunTask(Definition(Container("probe")) with { NetworkMode = NetworkModes.Awsvpc });
        _harness.Engine.RunTask(probe);
        await Store.WaitForStatusAsync(probe.TaskArn, LifecycleStatus.Stopped);
    }
}
