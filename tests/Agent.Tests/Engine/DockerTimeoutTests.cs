using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>A Docker call that never answers stops its task with ECS's DockerTimeoutError and gives back its start slot.</summary>
public sealed class DockerTimeoutTests : IAsyncLifetime
{
    private readonly FakeDockerDriver _docker = new();
    private readonly EngineHarness _harness;

    public DockerTimeoutTests()
    {
        var timeouts = new DockerTimeoutOptions { Create = TimeSpan.FromMilliseconds(300) };
        _harness = new EngineHarness(
            driver: new TimeoutDockerDriver(_docker, timeouts, TimeProvider.System),
            options: new AgentOptions { MaxConcurrentStarts = 1, DockerTimeouts = timeouts });
    }

    public async ValueTask InitializeAsync() => await _harness.StartAsync();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task RunTask_CreateNeverAnswers_TaskStoppedWithTheTimeoutAndTheSlotFreed()
    {
        _docker.Images["stuck:1"] = "sha256:stuck";
        _docker.Images["local/busybox:1"] = "sha256:busybox";
        _docker.HangingCreates["stuck:1"] = 0;
        var stuck = RunTask(Definition(Container("app", image: "stuck:1")));
        var next = RunTask(Definition(Container("app")));

        _harness.Engine.RunTask(stuck);
        _harness.Engine.RunTask(next);

        var stopped = await _harness.Store.WaitForStatusAsync(stuck.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal("DockerTimeoutError: Could not transition to created; timed out after waiting 300ms", stopped.StoppedReason);
        Assert.Equal(TaskStopCode.TaskFailedToStart, stopped.StopCode);
        // The only start slot was held by the stuck create; the next task gets it once the create has timed out.
        await _harness.Store.WaitForStatusAsync(next.TaskArn, LifecycleStatus.Running);
        Assert.Equal(["local/busybox:1"], _docker.Created.Select(c => c.Image));
    }
}
