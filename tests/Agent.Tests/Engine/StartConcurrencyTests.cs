using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>A burst of tasks reaches Docker a few containers at a time (<see cref="AgentOptions.MaxConcurrentStarts"/>).</summary>
public sealed class StartConcurrencyTests : IAsyncLifetime
{
    private readonly EngineHarness _harness = new(options: new AgentOptions { MaxConcurrentStarts = 2 });

    public async ValueTask InitializeAsync() => await _harness.StartAsync();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task FiveTasksNeedingPulls_OnlyTwoPullAtOnce_AllRunOnceThePullsFinish()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _harness.Fake.PullGate = gate;
        var commands = Enumerable.Range(0, 5).Select(i => RunTask(Definition(Container("app", image: $"local/app{i}:1")))).ToList();
        foreach (var command in commands)
        {
            _harness.Engine.RunTask(command);
        }

        await _harness.Store.WaitForAsync(() => _harness.Fake.Pulls.Count == 2 ? "" : null, "two pulls");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal(2, _harness.Fake.Pulls.Count);

        gate.SetResult();

        foreach (var command in commands)
        {
            await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        }

        Assert.Equal(5, _harness.Fake.Pulls.Count);
        Assert.Equal(5, _harness.Fake.Started.Count);
    }
}
