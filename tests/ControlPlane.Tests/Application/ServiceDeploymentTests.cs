using System.Text.Json;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Tests.Contract;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Tests.Application;

/// <summary>
/// ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions and StopServiceDeployment over a
/// service's real rollout: a deployment completes, the next is stopped with ROLLBACK and the service goes back to the
/// task definition that completed. Every response is checked against ECS's current model.
/// </summary>
public sealed class ServiceDeploymentTests
{
    private static CancellationToken Token => TestCluster.Token;

    [Fact]
    public async Task StopServiceDeployment_Rollback_ReturnsTheServiceToTheLastCompletedTaskDefinition()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        await cluster.RegisterAsync();
        await CallAsync(cluster, "CreateService", """{"serviceName":"web","taskDefinition":"web:1","desiredCount":1}""");
        var arn = cluster.Store.Current.Services.Values.Single().Arn;
        await cluster.Scheduler.ReconcileAsync(arn, Token);
        await cluster.ReportAllAsync(Status.Running);
        await cluster.Scheduler.ReconcileAsync(arn, Token);

        var first = (await CallAsync(cluster, "ListServiceDeployments", """{"service":"web"}""")).GetProperty("serviceDeployments")[0];
        Assert.Equal("SUCCESSFUL", first.GetProperty("status").GetString());

        await CallAsync(cluster, "UpdateService", """{"service":"web","taskDefinition":"web:2"}""");
        var listed = (await CallAsync(cluster, "ListServiceDeployments", """{"service":"web","status":["IN_PROGRESS"]}""")).GetProperty("serviceDeployments");
        var second = Assert.Single(listed.EnumerateArray().ToList()).GetProperty("serviceDeploymentArn").GetString()!;
        var described = (await CallAsync(cluster, "DescribeServiceDeployments", $$"""{"serviceDeploymentArns":["{{second}}"]}""")).GetProperty("serviceDeployments")[0];
        Assert.Equal(first.GetProperty("targetServiceRevisionArn").GetString(), described.GetProperty("sourceServiceRevisions")[0].GetProperty("arn").GetString());

        var stopped = await CallAsync(cluster, "StopServiceDeployment", $$"""{"serviceDeploymentArn":"{{second}}","stopType":"ROLLBACK"}""");

        Assert.Equal(second, stopped.GetProperty("serviceDeploymentArn").GetString());
        var service = (await CallAsync(cluster, "DescribeServices", """{"services":["web"]}""")).GetProperty("services")[0];
        Assert.EndsWith("task-definition/web:1", service.GetProperty("taskDefinition").GetString(), StringComparison.Ordinal);
        var after = (await CallAsync(cluster, "DescribeServiceDeployments", $$"""{"serviceDeploymentArns":["{{second}}"]}""")).GetProperty("serviceDeployments")[0];
        Assert.Equal("STOPPED", after.GetProperty("status").GetString());
        var abort = await Assert.ThrowsAsync<EcsException>(() => cluster.Actions.InvokeAsync("StopServiceDeployment",
            $$"""{"serviceDeploymentArn":"{{service.GetProperty("currentServiceDeployment").GetString()}}","stopType":"ABORT"}""", Token));
        Assert.Equal(EcsErrors.Client, abort.ErrorType);
    }

    private static async Task<JsonElement> CallAsync(TestCluster cluster, string action, string request)
    {
        var response = JsonDocument.Parse(await cluster.Actions.InvokeAsync(action, request, Token)).RootElement.Clone();
        if (EcsModel.Instance.OutputShape(action) is { } shape)
        {
            Assert.Empty(EcsModel.Instance.Check(shape, response));
        }

        return response;
    }
}
