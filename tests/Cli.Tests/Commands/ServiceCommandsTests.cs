using System.Text.Json.Nodes;
using Orchestrator.Cli.Tests.Fakes;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Tests.Commands;

public sealed class ServiceCommandsTests
{
    private static Service Service(string status = "ACTIVE", int desired = 2, int running = 2, params Deployment[] deployments) => new()
    {
        ServiceArn = Canned.Prefix + "service/default/web",
        ServiceName = "web",
        ClusterArn = Canned.Prefix + "cluster/default",
        Status = status,
        DesiredCount = desired,
        RunningCount = running,
        TaskDefinition = Canned.DefinitionArn("web", 2),
        SchedulingStrategy = "REPLICA",
        DeploymentConfiguration = new DeploymentConfiguration { MinimumHealthyPercent = 100, MaximumPercent = 200, DeploymentCircuitBreaker = new(false, false) },
        Deployments = deployments.Length > 0 ? deployments : [Deployment("ecs-svc/1", "PRIMARY", 2, running, "COMPLETED")],
    };

    private static Deployment Deployment(string id, string status, int desired, int running, string rollout, int revision = 2) => new()
    {
        Id = id,
        Status = status,
        TaskDefinition = Canned.DefinitionArn("web", revision),
        DesiredCount = desired,
        RunningCount = running,
        RolloutState = rollout,
    };

    [Fact]
    public async Task Create_Options_SendCreateServiceWithDeploymentConfiguration()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("CreateService", new ServiceResponse(Service()));

        var result = await CliHarness.RunAsync(server, "service", "create", "web", "-t", "web:2", "-n", "4",
            "--min-healthy-percent", "50", "--circuit-breaker", "--rollback", "--health-check-grace-period", "30s");

        Assert.Equal(0, result.ExitCode);
        JsonAssert.Equal("""
            {"cluster":"default","serviceName":"web","taskDefinition":"web:2","desiredCount":4,"schedulingStrategy":"REPLICA",
             "deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true},"minimumHealthyPercent":50},
             "healthCheckGracePeriodSeconds":30}
            """, Assert.Single(server.Api.Calls).Json);
        Assert.Contains("ecs-svc/1", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_Daemon_SendsNoDesiredCount()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("CreateService", new ServiceResponse(Service()));

        await CliHarness.RunAsync(server, "service", "create", "agentd", "-t", "web", "--daemon");

        var request = JsonNode.Parse(Assert.Single(server.Api.Calls).Json)!;
        Assert.Equal("DAEMON", (string?)request["schedulingStrategy"]);
        Assert.Null(request["desiredCount"]);
    }

    [Fact]
    public async Task Update_Wait_FollowsTheRolloutUntilStable()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        var rolling = Service(deployments: [Deployment("ecs-svc/2", "PRIMARY", 2, 1, "IN_PROGRESS", 3), Deployment("ecs-svc/1", "ACTIVE", 1, 1, "COMPLETED")]);
        var done = Service(deployments: [Deployment("ecs-svc/2", "PRIMARY", 2, 2, "COMPLETED", 3)]) with
        {
            Events = [new ServiceEvent("e1", DateTimeOffset.UtcNow, "(service web) has reached a steady state.")],
        };
        server.Api.On("UpdateService", new ServiceResponse(rolling));
        var describes = 0;
        server.Api.On("DescribeServices", _ => new DescribeServicesResponse([describes++ < 2 ? rolling : done], []));

        var result = await CliHarness.RunAsync(["service", "update", "web", "-t", "web:3", "--wait", "--timeout", "1m", "--endpoint", server.Url], TimeProvider.System, _ => null);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("ACTIVE: web:3 1/2 IN_PROGRESS, web:2 1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("ACTIVE: web:3 2/2 COMPLETED", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("has reached a steady state.", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_Wait_FailedRolloutExitsOne()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        var failed = Service(deployments: [Deployment("ecs-svc/2", "PRIMARY", 2, 0, "FAILED", 3) with { RolloutStateReason = "ECS deployment circuit breaker: tasks failed to start." }]);
        server.Api.On("UpdateService", new ServiceResponse(failed));
        server.Api.On("DescribeServices", new DescribeServicesResponse([failed], []));

        var result = await CliHarness.RunAsync(server, "service", "update", "web", "-t", "web:3", "--wait");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Deployment ecs-svc/2 failed: ECS deployment circuit breaker: tasks failed to start.", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_PrintsNewestFirst()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        var now = DateTimeOffset.UtcNow;
        server.Api.On("DescribeServices", new DescribeServicesResponse(
            [Service() with { Events = [new ServiceEvent("2", now, "second"), new ServiceEvent("1", now.AddMinutes(-1), "first")] }], []));

        var result = await CliHarness.RunAsync(server, "service", "events", "web");

        Assert.Equal(0, result.ExitCode);
        Assert.True(result.Stdout.IndexOf("second", StringComparison.Ordinal) < result.Stdout.IndexOf("first", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InstanceDrain_SendsUpdateContainerInstancesState()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("UpdateContainerInstancesState", new DescribeContainerInstancesResponse([], []));

        var result = await CliHarness.RunAsync(server, "instance", "drain", "abc", "--cluster", "prod");

        Assert.Equal(0, result.ExitCode);
        JsonAssert.Equal("""{"cluster":"prod","containerInstances":["abc"],"status":"DRAINING"}""", Assert.Single(server.Api.Calls).Json);
    }
}
