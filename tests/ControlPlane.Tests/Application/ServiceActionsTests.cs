using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Application;

/// <summary>CreateService and UpdateService: the deployments they record, as DescribeServices shows them.</summary>
public sealed class ServiceActionsTests
{
    private static CancellationToken Token => TestCluster.Token;

    [Theory]
    [InlineData("EXTERNAL", "EXTERNAL")]
    [InlineData("EC2", "EC2")]
    [InlineData(null, "EC2")]
    public async Task CreateService_LaunchType_PrimaryDeploymentHasTheServicesLaunchType(string? launchType, string expected)
    {
        using var cluster = await ClusterWithTaskDefinitionAsync();

        await cluster.Api.Services.CreateServiceAsync(
            new CreateServiceRequest { ServiceName = "web", TaskDefinition = "web", DesiredCount = 1, LaunchType = launchType }, Token);

        var service = await DescribeAsync(cluster);
        Assert.Equal(expected, service.LaunchType);
        Assert.Equal(expected, Assert.Single(service.Deployments, d => d.Status == DeploymentStatus.Primary).LaunchType);
    }

    [Fact]
    public async Task UpdateService_ForceNewDeploymentOfExternalService_NewPrimaryDeploymentIsExternal()
    {
        using var cluster = await ClusterWithTaskDefinitionAsync();
        await cluster.Api.Services.CreateServiceAsync(
            new CreateServiceRequest { ServiceName = "web", TaskDefinition = "web", DesiredCount = 1, LaunchType = "EXTERNAL" }, Token);

        await cluster.Api.Services.UpdateServiceAsync(new UpdateServiceRequest { Service = "web", ForceNewDeployment = true }, Token);

        var service = await DescribeAsync(cluster);
        Assert.Equal(2, service.Deployments.Count);
        Assert.All(service.Deployments, d => Assert.Equal("EXTERNAL", d.LaunchType));
    }

    [Fact]
    public async Task EnableExecuteCommand_OnTheService_ReachesItsTasks_AndUpdateServiceTurnsItOffForNewOnes()
    {
        using var cluster = await ClusterWithTaskDefinitionAsync();
        await cluster.AddInstanceAsync();
        var created = await cluster.Api.Services.CreateServiceAsync(
            new CreateServiceRequest { ServiceName = "web", TaskDefinition = "web", DesiredCount = 1, EnableExecuteCommand = true }, Token);
        await cluster.Scheduler.ReconcileAsync(created.Service.ServiceArn!, Token);
        var first = Assert.Single(cluster.Store.Current.Tasks.Values);

        await cluster.Api.Services.UpdateServiceAsync(new UpdateServiceRequest { Service = "web", EnableExecuteCommand = false, ForceNewDeployment = true }, Token);
        await cluster.Scheduler.ReconcileAsync(created.Service.ServiceArn!, Token);
        var second = Assert.Single(cluster.Store.Current.Tasks.Values, t => t.Arn != first.Arn);

        Assert.True(created.Service.EnableExecuteCommand);
        Assert.True(first.Task.EnableExecuteCommand);
        Assert.False((await DescribeAsync(cluster)).EnableExecuteCommand);
        Assert.False(second.Task.EnableExecuteCommand);
    }

    private static async Task<TestCluster> ClusterWithTaskDefinitionAsync()
    {
        var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        await cluster.RegisterAsync();
        return cluster;
    }

    private static async Task<Service> DescribeAsync(TestCluster cluster) =>
        Assert.Single((await cluster.Api.Services.DescribeServicesAsync(new DescribeServicesRequest { Services = ["web"] }, Token)).Services);
}
