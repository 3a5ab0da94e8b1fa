using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Agents;

public sealed class RuntimeHealthTests
{
    private static CancellationToken Token => TestCluster.Token;

    [Fact]
    public async Task ImpairedRuntime_InstanceTakesNoTasks_AndShowsImpairedUntilItRecovers()
    {
        using var cluster = new TestCluster();
        var (arn, session) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();

        cluster.Sessions.ReportRuntime(session, RuntimeHealth.Impaired);
        var refused = await cluster.RunAsync();
        var described = await cluster.Api.ContainerInstances.DescribeContainerInstancesAsync(
            new DescribeContainerInstancesRequest { ContainerInstances = [arn], Include = ["CONTAINER_INSTANCE_HEALTH"] }, Token);

        Assert.Empty(refused.Tasks);
        Assert.Equal(PlacementReasons.Agent, Assert.Single(refused.Failures).Reason);
        var instance = Assert.Single(described.ContainerInstances);
        Assert.True(instance.AgentConnected);
        Assert.Equal("IMPAIRED", instance.HealthStatus!.OverallStatus);
        Assert.Equal(("CONTAINER_RUNTIME", "IMPAIRED"), (instance.HealthStatus.Details[0].Type, instance.HealthStatus.Details[0].Status));

        cluster.Sessions.ReportRuntime(session, RuntimeHealth.Ok);
        Assert.Single((await cluster.RunAsync()).Tasks);
    }

    [Fact]
    public async Task Silent_SlowHeartbeatingAgent_GetsTwoAndAHalfIntervals()
    {
        using var cluster = new TestCluster();
        var (_, slow) = await cluster.AddInstanceAsync();
        var (_, quick) = await cluster.AddInstanceAsync();
        slow.HeartbeatInterval = TimeSpan.FromSeconds(10);
        quick.HeartbeatInterval = TimeSpan.FromSeconds(1);

        cluster.Clock.Advance(TimeSpan.FromSeconds(6));
        var silent = cluster.Sessions.Silent(TimeSpan.FromSeconds(5)).ToList();

        Assert.Equal([quick], silent);
        cluster.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(2, cluster.Sessions.Silent(TimeSpan.FromSeconds(5)).Count());
    }
}
