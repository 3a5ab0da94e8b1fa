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
