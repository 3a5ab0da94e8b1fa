using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Docker;

/// <summary>The task engine end to end with the real Docker driver.</summary>
[Collection(DockerCollection.Name)]
public sealed class TaskEngineDockerTests(DockerFixture docker) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TestLabellingDriver _driver = docker.LabelledDriver();
    private EngineHarness _harness = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _harness = new EngineHarness(_driver, new AgentOptions { StopTimeout = TimeSpan.FromSeconds(5) }, time: TimeProvider.System, portProbe: new SocketPortProbe());
        await _harness.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        await docker.RemoveContainersAsync(_driver.RunSelector);
    }

    private static TaskDefinition HttpdDefinition() => Definition(new ContainerDefinition
    {
        Name = "httpd",
        Image = DockerFixture.Image,
        Memory = 64,
        StopTimeout = 2,
        Command = ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 80 -h /www"],
        PortMappings = [new PortMapping { ContainerPort = 80, HostPort = 0, Protocol = "tcp" }],
    });

    [Fact]
    public async Task RunTask_HttpdOnDynamicPort_RunningServesThenStopsWithExitCode()
    {
        var command = RunTask(HttpdDefinition());

        _harness.Engine.RunTask(command);

        var running = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running, Timeout);
        var binding = running.Containers[0].NetworkBindings.First(b => b.BindIp == "0.0.0.0");
        Assert.Equal(80, binding.ContainerPort);
        Assert.Equal("hello\n", await Http.GetWithRetryAsync($"http://127.0.0.1:{binding.HostPort}/"));
        var reported = Assert.Single(_harness.Store.Changes(command.TaskArn)).Task;
        Assert.Equal(ReportedStatus.Running, reported.LastStatus);
        Assert.Contains(reported.Containers[0].NetworkBindings, b => b.HostPort == binding.HostPort && b.Protocol == "tcp");
        var labels = (await _driver.InspectContainerAsync(running.Containers[0].RuntimeId!, Token))!.Labels;
        Assert.Equal(command.TaskArn, labels[ContainerSpecBuilder.TaskArnLabel]);
        Assert.Equal(EngineHarness.ContainerInstanceArn, labels[ContainerSpecBuilder.ContainerInstanceLabel]);

        _harness.Engine.StopTask(command.TaskArn, "Scaling down");

        var stopped = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped, Timeout);
        Assert.Equal(TaskStopCode.UserInitiated, stopped.StopCode);
        Assert.Equal("Scaling down", stopped.StoppedReason);
        Assert.NotNull(stopped.Containers[0].ExitCode);
        var last = _harness.Store.Changes(command.TaskArn)[^1].Task;
        Assert.Equal(ReportedStatus.Stopped, last.LastStatus);
        Assert.True(last.Containers[0].ExitCode.HasValue);
    }

    [Fact]
    public async Task AgentRestart_RunningContainer_AdoptedWithSameIdAndStartedAt()
    {
        var command = RunTask(HttpdDefinition());
        _harness.Engine.RunTask(command);
        var before = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running, Timeout);
        var id = before.Containers[0].RuntimeId!;
        var startedAt = (await _driver.InspectContainerAsync(id, Token))!.StartedAt;

        await _harness.RestartAsync();
        _harness.Engine.RunTask(command);
        var probe = RunTask(Definition(Container("probe")) with { NetworkMode = NetworkModes.Awsvpc });
        _harness.Engine.RunTask(probe);
        await _harness.Store.WaitForStatusAsync(probe.TaskArn, LifecycleStatus.Stopped, Timeout);

        var after = (await _driver.InspectContainerAsync(id, Token))!;
        Assert.Equal(Orchestrator.Agent.Docker.ContainerRunState.Running, after.State);
        Assert.Equal(startedAt, after.StartedAt);
        Assert.Single(await docker.ListContainersAsync($"{ContainerSpecBuilder.TaskArnLabel}={command.TaskArn}"));
        var task = _harness.Store.LoadTasks().Single(t => t.TaskArn == command.TaskArn);
        Assert.Equal(LifecycleStatus.Running, task.KnownStatus);
        Assert.Equal(before.Containers[0].NetworkBindings, task.Containers[0].NetworkBindings);
        var binding = task.Containers[0].NetworkBindings.First(b => b.BindIp == "0.0.0.0");
        Assert.Equal("hello\n", await Http.GetWithRetryAsync($"http://127.0.0.1:{binding.HostPort}/"));

        _harness.Engine.StopTask(command.TaskArn, "");
        var stopped = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped, Timeout);
        Assert.Equal(id, stopped.Containers[0].RuntimeId);
    }

    [Fact]
    public async Task RunTask_EssentialContainerExits_StoppedWithExitCodeFromDockerEvents()
    {
        var definition = Definition(
            Container("job") with { Command = ["sh", "-c", "sleep 1; exit 3"] },
            Container("sidecar", essential: false, stopTimeout: 1));
        var command = RunTask(definition);

        _harness.Engine.RunTask(command);

        var stopped = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped, Timeout);
        Assert.Equal(TaskStopCode.EssentialContainerExited, stopped.StopCode);
        Assert.Equal(3, stopped.Container("job")!.ExitCode);
        Assert.Equal(137, stopped.Container("sidecar")!.ExitCode);
    }

    [Fact]
    public async Task RunTask_ImageCannotBePulled_StoppedCannotPullContainerErrorFast()
    {
        var command = RunTask(Definition(Container("web", image: "127.0.0.1:5999/missing/image:1")));

        _harness.Engine.RunTask(command);

        var stopped = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped, TimeSpan.FromSeconds(20));
        Assert.Equal(TaskStopCode.TaskFailedToStart, stopped.StopCode);
        Assert.StartsWith("CannotPullContainerError: ", stopped.StoppedReason, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:5999", stopped.StoppedReason, StringComparison.Ordinal);
        Assert.Equal(stopped.StoppedReason, stopped.Containers[0].Reason);
        Assert.Empty(await docker.ListContainersAsync($"{ContainerSpecBuilder.TaskArnLabel}={command.TaskArn}"));
    }
}
