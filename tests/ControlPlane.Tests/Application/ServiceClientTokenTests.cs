using System.Text.Json;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Application;

/// <summary>
/// CreateService's clientToken as ECS documents it: up to 36 ASCII characters (Terraform sends a 36-character one),
/// and a CreateService repeating a token already used returns the service that token created.
/// </summary>
public sealed class ServiceClientTokenTests
{
    private static CancellationToken Token => TestCluster.Token;

    private const string TerraformToken = "terraform-20260601120000000000000001"; // 36 characters, as the aws provider makes them

    [Fact]
    public async Task CreateService_SameTokenAgain_ReturnsTheSameServiceAsItIsNow_AndCreatesNothing()
    {
        using var cluster = await ClusterWithTaskDefinitionAsync();
        var request = $$"""{"serviceName":"web","taskDefinition":"web","desiredCount":1,"clientToken":"{{TerraformToken}}"}""";
        var first = Service(await cluster.Actions.InvokeAsync("CreateService", request, Token));
        await cluster.Api.Services.UpdateServiceAsync(new UpdateServiceRequest { Service = "web", DesiredCount = 3 }, Token);

        var again = Service(await cluster.Actions.InvokeAsync("CreateService", request, Token));

        Assert.Equal(36, TerraformToken.Length);
        Assert.Equal(first.GetProperty("serviceArn").GetString(), again.GetProperty("serviceArn").GetString());
        Assert.Equal(first.GetProperty("createdAt").GetDouble(), again.GetProperty("createdAt").GetDouble());
        Assert.Equal(3, again.GetProperty("desiredCount").GetInt32());
        Assert.Single((await cluster.Api.Services.ListServicesAsync(new ListServicesRequest(), Token)).ServiceArns);
    }

    [Fact]
    public async Task CreateService_AnotherNameWithAUsedToken_IsRefused()
    {
        using var cluster = await ClusterWithTaskDefinitionAsync();
        await cluster.Actions.InvokeAsync("CreateService", $$"""{"serviceName":"web","taskDefinition":"web","desiredCount":1,"clientToken":"{{TerraformToken}}"}""", Token);

        var error = await Assert.ThrowsAsync<EcsException>(() =>
            cluster.Actions.InvokeAsync("CreateService", $$"""{"serviceName":"api","taskDefinition":"web","desiredCount":1,"clientToken":"{{TerraformToken}}"}""", Token));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.Single((await cluster.Api.Services.ListServicesAsync(new ListServicesRequest(), Token)).ServiceArns);
    }

    [Theory]
    [InlineData("0123456789012345678901234567890123456")] // 37
    [InlineData("with space")]
    [InlineData("")]
    public async Task CreateService_TokenOutsideTheModelsRule_IsRefused(string token)
    {
        using var cluster = await ClusterWithTaskDefinitionAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() =>
            cluster.Actions.InvokeAsync("CreateService", $$"""{"serviceName":"web","taskDefinition":"web","desiredCount":1,"clientToken":"{{token}}"}""", Token));

        Assert.Equal("clientToken must be 1 to 36 ASCII characters (33-126).", error.Message);
    }

    [Fact]
    public async Task CreateAndUpdateService_WhatTerraformSends_IsAccepted_AndDescribeServicesEchoesIt()
    {
        using var cluster = await ClusterWithTaskDefinitionAsync();

        // The aws provider 5.100's CreateService and UpdateService bodies, as it sends them for a plain service.
        await cluster.Actions.InvokeAsync("CreateService", $$"""
            {"availabilityZoneRebalancing":"DISABLED","clientToken":"{{TerraformToken}}","cluster":"default",
             "deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":false,"rollback":false},"maximumPercent":100,"minimumHealthyPercent":0},
             "deploymentController":{"type":"ECS"},"desiredCount":1,"enableECSManagedTags":false,"enableExecuteCommand":false,
             "launchType":"EC2","propagateTags":"NONE","schedulingStrategy":"REPLICA","serviceName":"web","taskDefinition":"web",
             "vpcLatticeConfigurations":[],"loadBalancers":[],"serviceRegistries":[],"capacityProviderStrategy":[]}
            """, Token);
        await cluster.Actions.InvokeAsync("UpdateService", """
            {"availabilityZoneRebalancing":"DISABLED","cluster":"default","service":"web","forceNewDeployment":false,"taskDefinition":"web",
             "vpcLatticeConfigurations":[],"enableExecuteCommand":false,"deploymentConfiguration":{"alarms":{"alarmNames":[],"enable":false,"rollback":false},"strategy":"ROLLING"}}
            """, Token);

        var service = Service(await cluster.Actions.InvokeAsync("DescribeServices", """{"services":["web"]}""", Token), "services");
        Assert.Equal("DISABLED", service.GetProperty("availabilityZoneRebalancing").GetString());
        Assert.False(service.GetProperty("enableExecuteCommand").GetBoolean());
        Assert.Equal(0, service.GetProperty("loadBalancers").GetArrayLength());
        Assert.Equal("ROLLING", service.GetProperty("deploymentConfiguration").GetProperty("strategy").GetString());
        Assert.False(service.GetProperty("deploymentConfiguration").GetProperty("alarms").GetProperty("enable").GetBoolean());
        Assert.Equal(100, service.GetProperty("deploymentConfiguration").GetProperty("maximumPercent").GetInt32());
    }

    [Theory]
    [InlineData("""{"strategy":"BLUE_GREEN"}""", "Parameter deploymentConfiguration.strategy is not supported by this control plane yet: the value \"BLUE_GREEN\" is refused; it takes only \"ROLLING\".")]
    [InlineData("""{"alarms":{"alarmNames":["cpu"],"enable":true,"rollback":true}}""", "Parameter deploymentConfiguration.alarms is not supported by this control plane yet: the value an object asking for alarms is refused (no CloudWatch here); it takes only {\"enable\":false,\"rollback\":false}.")]
    public async Task CreateService_DeploymentFeatureThatAsksForSomething_IsRefusedByName(string configuration, string message)
    {
        using var cluster = await ClusterWithTaskDefinitionAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Actions.InvokeAsync("CreateService",
            $$"""{"serviceName":"web","taskDefinition":"web","desiredCount":1,"deploymentConfiguration":{{configuration}}}""", Token));

        Assert.Equal(EcsErrors.Client, error.ErrorType);
        Assert.Equal(message, error.Message);
        Assert.Empty((await cluster.Api.Services.ListServicesAsync(new ListServicesRequest(), Token)).ServiceArns);
    }

    private static JsonElement Service(string response, string member = "service")
    {
        var root = JsonDocument.Parse(response).RootElement.Clone();
        return member == "service" ? root.GetProperty("service") : root.GetProperty(member)[0];
    }

    private static async Task<TestCluster> ClusterWithTaskDefinitionAsync()
    {
        var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        await cluster.RegisterAsync();
        return cluster;
    }
}
