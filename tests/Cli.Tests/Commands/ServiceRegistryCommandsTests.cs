using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>--service-registry</c> and <c>--remove-service-registry</c>: ECS's serviceRegistries from the shorthand.</summary>
public sealed class ServiceRegistryCommandsTests
{
    private static readonly Service Web = new() { ServiceArn = Canned.Prefix + "service/default/web", ServiceName = "web", Status = "ACTIVE" };

    [Fact]
    public async Task Create_ServiceRegistry_SendsServiceRegistries()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("CreateService", new ServiceResponse(Web));

        var result = await CliHarness.RunAsync(server, "service", "create", "web", "-t", "web", "-n", "2",
            "--service-registry", "registryArn=arn:aws:servicediscovery:us-east-1:1:service/srv-web,containerName=main,containerPort=80");

        Assert.Equal(0, result.ExitCode);
        JsonAssert.Equal("""
            {"cluster":"default","serviceName":"web","taskDefinition":"web","desiredCount":2,"schedulingStrategy":"REPLICA",
             "serviceRegistries":[{"registryArn":"arn:aws:servicediscovery:us-east-1:1:service/srv-web","containerName":"main","containerPort":80}]}
            """, Assert.Single(server.Api.Calls).Json);
    }

    [Fact]
    public async Task Update_RemoveServiceRegistry_SendsEmptyList_BadPort_RefusedLocally()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("UpdateService", new ServiceResponse(Web));

        var removed = await CliHarness.RunAsync(server, "service", "update", "web", "--remove-service-registry");
        var bad = await CliHarness.RunAsync(server, "service", "update", "web", "--service-registry", "registryArn=web,containerName=main,containerPort=http");

        Assert.Equal(0, removed.ExitCode);
        JsonAssert.Equal("""{"cluster":"default","service":"web","serviceRegistries":[]}""", Assert.Single(server.Api.Calls).Json);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("containerPort must be a number", bad.Stderr, StringComparison.Ordinal);
    }
}
