using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Contracts.Agent;
using Status = Orchestrator.Contracts.Agent.Status;

namespace Orchestrator.ControlPlane.Tests.Grpc;

/// <summary>
/// Heartbeat.task_usage over the real agent stream: an agent's per-task figures reach the usage window the auto scaler
/// reads; figures an agent sends for a task of another instance (or for no task) are dropped.
/// </summary>
public sealed class TaskUsageHeartbeatTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TaskUsage_FromTheTasksOwnAgent_IsKept_FromAnotherAgent_IsDropped()
    {
        await using var controlPlane = await AgentSessionAttackTests.StartAsync();
        await using var owner = await TestAgent.ConnectAsync(controlPlane.Agents, await TestAgent.RegisterAsync(controlPlane.Agents, "owner"));
        var task = await AgentSessionAttackTests.RunTaskAsync(controlPlane);
        await owner.NextAsync(m => m.RunTask?.TaskArn == task);
        await owner.ReportAsync(task, Status.Running);
        await using var other = await TestAgent.ConnectAsync(controlPlane.Agents, await TestAgent.RegisterAsync(controlPlane.Agents, "other"));
        var window = controlPlane.Services.GetRequiredService<TaskUsageWindow>();
        var sessions = controlPlane.Services.GetRequiredService<AgentSessions>();

        // The other agent claims the task burns 999 % and names a task that does not exist; its second heartbeat
        // (instance usage 2 %) shows the first one was handled.
        await other.SendAsync(Heartbeat(1, new HeartbeatTaskUsage { TaskArn = task, CpuPercent = 999, MemoryUsedBytes = 1 },
            new HeartbeatTaskUsage { TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/default/nothing", CpuPercent = 5 }));
        await other.SendAsync(Heartbeat(2));
        await WaitUntilAsync(() => sessions.UsageOf(other.Arn) is { CpuPercent: 2 });

        await owner.SendAsync(Heartbeat(3, new HeartbeatTaskUsage { TaskArn = task, CpuPercent = 25, MemoryUsedBytes = 16 << 20 }));
        await WaitUntilAsync(() => window.Since(task, DateTimeOffset.MinValue).Count > 0);

        var sample = Assert.Single(window.Since(task, DateTimeOffset.MinValue));
        Assert.Equal((25.0, 16L << 20), (sample.CpuPercent, sample.MemoryUsedBytes));
        Assert.Empty(window.Since("arn:aws:ecs:us-east-1:000000000000:task/default/nothing", DateTimeOffset.MinValue));
    }

    private static AgentMessage Heartbeat(double instanceCpu, params HeartbeatTaskUsage[] tasks) => new()
    {
        Heartbeat = new Heartbeat
        {
            SentAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            Runtime = RuntimeHealth.Ok,
            Usage = new InstanceUsage { CpuPercent = instanceCpu, RunningContainers = 1 },
            TaskUsage = { tasks },
        },
    };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 20)
        {
            Assert.True(waited < 10_000, "the condition did not come true within 10 s");
            await Task.Delay(20, Token);
        }
    }
}
