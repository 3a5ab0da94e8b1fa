using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Session;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Tests.Session;

/// <summary>The protocol's messages become the engine's types on the way in and the engine's reports become messages on the way out.</summary>
public sealed class WireMappingTests
{
    [Fact]
    public void ToCommand_RunTask_EveryFieldCarried()
    {
        var message = new RunTask
        {
            TaskArn = "arn:task",
            ClusterArn = "arn:cluster",
            TaskDefinitionJson = "{\"family\":\"web\"}",
            OverridesJson = "{}",
            Network = new TaskNetwork { AttachmentId = "att", SubnetId = "subnet-a", Ipv4Address = "10.0.0.5", PrefixLength = 24, Gateway = "10.0.0.1" },
            Traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        };
        message.Gpus.Add(new Contracts.Agent.ContainerGpus { ContainerName = "web", GpuIds = { "GPU-a", "GPU-b" } });

        var command = WireMapping.ToCommand(message);

        Assert.Equal(("arn:task", "arn:cluster", "{\"family\":\"web\"}", "{}"), (command.TaskArn, command.ClusterArn, command.TaskDefinitionJson, command.OverridesJson));
        Assert.Equal(new TaskNetworkRecord("att", "subnet-a", "10.0.0.5", 24, "10.0.0.1"), command.Network);
        Assert.Equal(["GPU-a", "GPU-b"], command.GpuIdsOf("web"));
        Assert.Empty(command.GpuIdsOf("other"));
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", command.Traceparent);
    }

    [Fact]
    public void ToCommand_NoNetworkOrAnEmptyAddress_NoNetwork()
    {
        Assert.Null(WireMapping.ToCommand(new RunTask { TaskArn = "a" }).Network);
        Assert.Null(WireMapping.ToCommand(new RunTask { TaskArn = "a", Network = new TaskNetwork { AttachmentId = "att" } }).Network);
    }

    [Fact]
    public void ToWire_StoppedReport_EveryFieldCarried()
    {
        var report = Reports.Stopped();

        var change = WireMapping.ToWire(new SequencedReport(7, report));

        Assert.Equal(7UL, change.Sequence);
        var state = change.Task;
        Assert.Equal((Status.Stopped, "EssentialContainerExited", "Essential container in task exited", "UNKNOWN"),
            (state.LastStatus, state.StopCode, state.StoppedReason, state.HealthStatus));
        Assert.Equal(Reports.Now, state.PullStartedAt.ToDateTimeOffset());
        Assert.Null(state.PullStoppedAt);
        Assert.Equal(Reports.Now.AddSeconds(2), state.ExecutionStoppedAt.ToDateTimeOffset());
        Assert.Equal(("att", "10.0.0.5", "02:42:0a:00:00:05"), (state.NetworkInterfaces[0].AttachmentId, state.NetworkInterfaces[0].Ipv4Address, state.NetworkInterfaces[0].MacAddress));
        Assert.Equal((Status.Stopped, 0, "abc", "sha256:1", "done"),
            (state.Containers[0].LastStatus, state.Containers[0].ExitCode, state.Containers[0].RuntimeId, state.Containers[0].ImageDigest, state.Containers[0].Reason));
        Assert.True(state.Containers[0].HasExitCode);
        Assert.False(state.Containers[1].HasExitCode);
        Assert.Equal(32768, Assert.Single(state.Containers[1].NetworkBindings).HostPort);
    }

    [Theory]
    [InlineData(ReportedStatus.Pending, Status.Pending)]
    [InlineData(ReportedStatus.Running, Status.Running)]
    [InlineData(ReportedStatus.Stopped, Status.Stopped)]
    public void ToWire_Status_SameStatus(ReportedStatus status, Status expected) => Assert.Equal(expected, WireMapping.ToWire(status));
}
