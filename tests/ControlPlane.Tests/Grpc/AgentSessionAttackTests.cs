using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.State;
using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Status = Orchestrator.Contracts.Agent.Status;

namespace Orchestrator.ControlPlane.Tests.Grpc;

/// <summary>
/// Attacks on the session stream by a caller with no credential, against the real control plane over gRPC, next to a
/// real (simulated) agent whose session and reports must come through untouched.
/// </summary>
public sealed class AgentSessionAttackTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Hello_ThroughSequenceBeyondWhatTheAgentCouldHaveSent_IsRefusedAndNotStored_TheAgentsReportsApply()
    {
        await using var controlPlane = await StartAsync();
        var (agent, task) = await AgentRunningATaskAsync(controlPlane);

        var refused = await TestAgent.RefusedHelloAsync(controlPlane.Agents, TestAgent.Hello(agent.Arn, ulong.MaxValue));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("through_sequence 18446744073709551615 is more than 1000000 past the last state change stored", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(agent.Sequence, LastSequence(controlPlane, agent.Arn));
        await agent.ReportAsync(task, Status.Stopped);
        Assert.Equal("STOPPED", await LastStatusAsync(controlPlane, task));
        await agent.DisposeAsync();
    }

    [Fact]
    public async Task StateChange_SequenceBeyondTheWindow_EndsTheStreamWithInvalidArgument_NothingStored()
    {
        await using var controlPlane = await StartAsync();
        var (agent, task) = await AgentRunningATaskAsync(controlPlane);
        var before = LastSequence(controlPlane, agent.Arn);

        var ended = await agent.SendRefusedAsync(new AgentMessage
        {
            StateChange = new TaskStateChange { Sequence = before + SessionReports.MaxSequenceAdvance + 1, Task = new TaskState { TaskArn = task, LastStatus = Status.Stopped } },
        });

        Assert.Equal(StatusCode.InvalidArgument, ended?.StatusCode);
        Assert.Contains("cannot come from the instance's agent", ended!.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, LastSequence(controlPlane, agent.Arn));
        Assert.Equal("RUNNING", await LastStatusAsync(controlPlane, task));
        await agent.DisposeAsync();
    }

    [Fact]
    public async Task StateChange_TaskArnNoTaskCanHave_EndsTheStreamWithInvalidArgument_NothingStored()
    {
        await using var controlPlane = await StartAsync();
        var (agent, _) = await AgentRunningATaskAsync(controlPlane);
        var before = LastSequence(controlPlane, agent.Arn);

        var ended = await agent.SendRefusedAsync(new AgentMessage
        {
            StateChange = new TaskStateChange { Sequence = before + 1, Task = new TaskState { TaskArn = "arn\n" + new string('x', 100_000), LastStatus = Status.Running } },
        });

        Assert.Equal(StatusCode.InvalidArgument, ended?.StatusCode);
        Assert.StartsWith("A task state must name its task", ended!.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, LastSequence(controlPlane, agent.Arn));
        await agent.DisposeAsync();
    }

    [Fact]
    public async Task Hello_AfterAnImpostorRaisedTheSequenceWhileTheAgentWasAway_TheAgentsOwnCounterWins()
    {
        await using var controlPlane = await StartAsync();
        var (agent, task) = await AgentRunningATaskAsync(controlPlane);
        var sequence = agent.Sequence;
        await agent.DisposeAsync();
        await WaitUntilAsync(() => !Sessions(controlPlane).IsConnected(agent.Arn));

        // Within the window, so accepted: nothing proves who is calling (mutual TLS will).
        await using (await TestAgent.ConnectAsync(controlPlane.Agents, agent.Arn, sequence + 1_000))
        {
        }

        await WaitUntilAsync(() => !Sessions(controlPlane).IsConnected(agent.Arn));
        await using var back = await TestAgent.ConnectAsync(controlPlane.Agents, agent.Arn, sequence, tasks: [new TaskState { TaskArn = task, LastStatus = Status.Running }]);
        Assert.Equal(sequence, LastSequence(controlPlane, agent.Arn));
        await back.ReportAsync(task, Status.Stopped);
        Assert.Equal("STOPPED", await LastStatusAsync(controlPlane, task));
    }

    [Theory]
    [InlineData(-1L, 0)]
    [InlineData(0L, 0)]
    [InlineData(0L, 500_000_000)]
    [InlineData(301L, 0)]
    [InlineData(315_576_000_000L, 0)]
    [InlineData(1L, -5)]
    [InlineData(2L, 1_000_000_000)]
    public async Task Hello_MalformedHeartbeatInterval_IsRefused_NoSessionLeftOpen(long seconds, int nanos)
    {
        await using var controlPlane = await StartAsync();
        var victim = await TestAgent.RegisterAsync(controlPlane.Agents, "victim");
        await using var live = await TestAgent.ConnectAsync(controlPlane.Agents, await TestAgent.RegisterAsync(controlPlane.Agents, "live"));
        var hello = TestAgent.Hello(victim);
        hello.HeartbeatInterval = new Duration { Seconds = seconds, Nanos = nanos };
        var liveHello = TestAgent.Hello(live.Arn);
        liveHello.HeartbeatInterval = hello.HeartbeatInterval;

        var refused = await TestAgent.RefusedHelloAsync(controlPlane.Agents, hello);
        var refusedForLive = await TestAgent.RefusedHelloAsync(controlPlane.Agents, liveHello);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("A SessionHello's heartbeat_interval must be between 1 s and 5 min", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, refusedForLive.StatusCode);
        Assert.False(await AgentConnectedAsync(controlPlane, victim));
        Assert.True(await AgentConnectedAsync(controlPlane, live.Arn));
        Assert.Equal(1, Sessions(controlPlane).TrackedInstances);
        await using var real = await TestAgent.ConnectAsync(controlPlane.Agents, victim);
        Assert.True(await AgentConnectedAsync(controlPlane, victim));
    }

    [Fact]
    public async Task Hello_WithoutHeartbeatInterval_IsRefused()
    {
        await using var controlPlane = await StartAsync();
        var arn = await TestAgent.RegisterAsync(controlPlane.Agents, "host");

        var refused = await TestAgent.RefusedHelloAsync(controlPlane.Agents, new SessionHello { ContainerInstanceArn = arn });

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.EndsWith("not absent.", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, Sessions(controlPlane).TrackedInstances);
    }

    [Fact]
    public async Task Hello_ThousandUnknownArns_AreRefusedWithNotFound_AndLeaveNothingBehind()
    {
        await using var controlPlane = await StartAsync();
        await using var agent = await TestAgent.ConnectAsync(controlPlane.Agents, await TestAgent.RegisterAsync(controlPlane.Agents, "host"));

        for (var i = 0; i < 1_000; i++)
        {
            var refused = await TestAgent.RefusedHelloAsync(
                controlPlane.Agents, TestAgent.Hello($"arn:aws:ecs:us-east-1:000000000000:container-instance/default/{Guid.NewGuid():N}"));
            Assert.Equal(StatusCode.NotFound, refused.StatusCode);
            Assert.EndsWith("is not registered.", refused.Status.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(1, Sessions(controlPlane).TrackedInstances);
        Assert.True(Sessions(controlPlane).IsConnected(agent.Arn));
        var task = await RunTaskAsync(controlPlane);
        await agent.NextAsync(m => m.RunTask?.TaskArn == task);
    }

    [Fact]
    public async Task Hello_DeregisteredInstance_IsRefusedWithNotFound_AndForgotten()
    {
        await using var controlPlane = await StartAsync();
        var arn = await TestAgent.RegisterAsync(controlPlane.Agents, "host");
        await using (await TestAgent.ConnectAsync(controlPlane.Agents, arn))
        {
            await controlPlane.CallAsync("DeregisterContainerInstance", EcsJson.Serialize(new DeregisterContainerInstanceRequest { ContainerInstance = arn, Force = true }));
        }

        var refused = await TestAgent.RefusedHelloAsync(controlPlane.Agents, TestAgent.Hello(arn));

        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
        Assert.Equal(0, Sessions(controlPlane).TrackedInstances);
    }

    [Fact]
    public async Task Hello_ForAnInstanceWhoseSessionIsLive_IsRefusedWithAlreadyExists_TheAgentKeepsItsSessionAndTasks()
    {
        await using var controlPlane = await StartAsync();
        var (agent, task) = await AgentRunningATaskAsync(controlPlane);

        var refused = await TestAgent.RefusedHelloAsync(controlPlane.Agents, TestAgent.Hello(agent.Arn, agent.Sequence));

        Assert.Equal(StatusCode.AlreadyExists, refused.StatusCode);
        Assert.StartsWith($"Container instance {agent.Arn} already has a live session", refused.Status.Detail, StringComparison.Ordinal);
        Assert.True(await AgentConnectedAsync(controlPlane, agent.Arn));
        Assert.Equal("RUNNING", await LastStatusAsync(controlPlane, task));
        var second = await RunTaskAsync(controlPlane);
        await agent.NextAsync(m => m.RunTask?.TaskArn == second);
        await agent.ReportAsync(task, Status.Stopped);
        Assert.Equal("STOPPED", await LastStatusAsync(controlPlane, task));
        await agent.DisposeAsync();
    }

    [Fact]
    public async Task Hello_AfterTheOldSessionWentStale_ReplacesIt()
    {
        await using var controlPlane = await StartAsync();
        var arn = await TestAgent.RegisterAsync(controlPlane.Agents, "host");
        await using var old = await TestAgent.ConnectAsync(controlPlane.Agents, arn);
        old.Heartbeating = false; // the agent died, its stream not yet noticed dead

        await Task.Delay(TimeSpan.FromSeconds(1) + AgentSessions.StaleGrace + TimeSpan.FromMilliseconds(300), Token);
        await using var restarted = await TestAgent.ConnectAsync(controlPlane.Agents, arn);

        Assert.Null(await old.Ended); // the old stream was ended, with no error
        Assert.True(await AgentConnectedAsync(controlPlane, arn));
        var task = await RunTaskAsync(controlPlane);
        await restarted.NextAsync(m => m.RunTask?.TaskArn == task);
    }

    [Fact]
    public async Task Hello_AfterTheAgentsStreamEnded_ReconnectsAtOnce()
    {
        await using var controlPlane = await StartAsync();
        var arn = await TestAgent.RegisterAsync(controlPlane.Agents, "host");
        var killed = await TestAgent.ConnectAsync(controlPlane.Agents, arn);

        await killed.DisposeAsync();
        await WaitUntilAsync(() => !Sessions(controlPlane).IsConnected(arn));
        await using var restarted = await TestAgent.ConnectAsync(controlPlane.Agents, arn);

        Assert.True(await AgentConnectedAsync(controlPlane, arn));
    }

    internal static async Task<InProcessControlPlane> StartAsync()
    {
        var controlPlane = new InProcessControlPlane();
        await controlPlane.StartAsync();
        await controlPlane.CallAsync("RegisterTaskDefinition", """{"family":"web","containerDefinitions":[{"name":"c","image":"local/busybox:1","memory":100}]}""");
        return controlPlane;
    }

    internal static async Task<string> RunTaskAsync(InProcessControlPlane controlPlane) =>
        Assert.Single(EcsJson.Deserialize<TasksResponse>(await controlPlane.CallAsync("RunTask", """{"taskDefinition":"web"}""")).Tasks).TaskArn;

    /// <summary>A registered, connected agent that received a task and reported it RUNNING.</summary>
    private static async Task<(TestAgent Agent, string Task)> AgentRunningATaskAsync(InProcessControlPlane controlPlane)
    {
        var agent = await TestAgent.ConnectAsync(controlPlane.Agents, await TestAgent.RegisterAsync(controlPlane.Agents, "host"));
        var task = await RunTaskAsync(controlPlane);
        await agent.NextAsync(m => m.RunTask?.TaskArn == task);
        await agent.ReportAsync(task, Status.Running);
        Assert.Equal("RUNNING", await LastStatusAsync(controlPlane, task));
        return (agent, task);
    }

    private static AgentSessions Sessions(InProcessControlPlane controlPlane) => controlPlane.Services.GetRequiredService<AgentSessions>();

    private static ulong LastSequence(InProcessControlPlane controlPlane, string arn) =>
        controlPlane.Services.GetRequiredService<StateStore>().Current.Instance(arn)!.LastSequence;

    private static async Task<string?> LastStatusAsync(InProcessControlPlane controlPlane, string task) =>
        Assert.Single(EcsJson.Deserialize<TasksResponse>(await controlPlane.CallAsync("DescribeTasks", EcsJson.Serialize(new DescribeTasksRequest { Tasks = [task] }))).Tasks).LastStatus;

    private static async Task<bool> AgentConnectedAsync(InProcessControlPlane controlPlane, string arn) =>
        Assert.Single(EcsJson.Deserialize<DescribeContainerInstancesResponse>(await controlPlane.CallAsync(
            "DescribeContainerInstances", EcsJson.Serialize(new DescribeContainerInstancesRequest { ContainerInstances = [arn] }))).ContainerInstances).AgentConnected;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 20)
        {
            Assert.True(waited < 10_000, "the condition did not come true within 10 s");
            await Task.Delay(20, Token);
        }
    }
}
