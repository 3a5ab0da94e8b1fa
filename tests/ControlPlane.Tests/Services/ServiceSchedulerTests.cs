using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Services;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Services;

/// <summary>The service API and scheduler over a real state store, with agents simulated by reports.</summary>
public sealed class ServiceSchedulerTests
{
    private static CancellationToken Token => TestCluster.Token;

    [Fact]
    public async Task CreateService_PlacesSpreadTasks_ThenReachesSteadyState()
    {
        using var cluster = new TestCluster();
        var (a, sessionA) = await cluster.AddInstanceAsync();
        var (b, sessionB) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        var created = await CreateAsync(cluster, desired: 4);

        await ReconcileAsync(cluster, created.ServiceArn);

        var tasks = cluster.Store.Current.Tasks.Values.ToList();
        Assert.Equal(4, tasks.Count);
        Assert.Equal(2, tasks.Count(t => t.Task.ContainerInstanceArn == a));
        Assert.All(tasks, t => Assert.Equal("service:web", t.Task.Group));
        Assert.All(tasks, t => Assert.Equal(created.Deployments[0].Id, t.Task.StartedBy));
        Assert.NotNull(TestCluster.NextMessage(sessionA)?.RunTask);
        Assert.NotNull(TestCluster.NextMessage(sessionB)?.RunTask);

        await cluster.ReportAllAsync(Status.Running);
        await ReconcileAsync(cluster, created.ServiceArn);

        var service = await DescribeAsync(cluster);
        Assert.Equal((4, 4, 0), (service.DesiredCount, service.RunningCount, service.PendingCount));
        var deployment = Assert.Single(service.Deployments);
        Assert.Equal(RolloutStates.Completed, deployment.RolloutState);
        Assert.Equal(4, deployment.RunningCount);
        Assert.Equal("(service web) has reached a steady state.", service.Events[0].Message);
        Assert.Matches(@"^\(service web\) has started 4 tasks: \(task [0-9a-f]{32}\)( \(task [0-9a-f]{32}\)){3}\.$", service.Events.Last().Message);
    }

    [Fact]
    public async Task UpdateService_NewTaskDefinition_RollsOverAndRetiresTheOldDeployment()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync(cpu: 8192, memory: 8192);
        await cluster.RegisterAsync();
        var created = await CreateAsync(cluster, desired: 2);
        await SettleAsync(cluster, created.ServiceArn);
        await cluster.RegisterAsync(); // web:2

        var updated = (await cluster.Api.Services.UpdateServiceAsync(new UpdateServiceRequest { Service = "web", TaskDefinition = "web:2" }, Token)).Service;

        Assert.Equal(2, updated.Deployments.Count);
        Assert.Equal((DeploymentStatus.Primary, cluster.Arns.TaskDefinition("web", 2)), (updated.Deployments[0].Status, updated.Deployments[0].TaskDefinition));
        Assert.Equal(DeploymentStatus.Active, updated.Deployments[1].Status);
        await SettleAsync(cluster, created.ServiceArn);

        var service = await DescribeAsync(cluster);
        var deployment = Assert.Single(service.Deployments);
        Assert.Equal(updated.Deployments[0].Id, deployment.Id);
        Assert.Equal(RolloutStates.Completed, deployment.RolloutState);
        var live = cluster.Store.Current.Tasks.Values.Where(t => t.Task.LastStatus != TaskStatus.Stopped).ToList();
        Assert.Equal(2, live.Count);
        Assert.All(live, t => Assert.Equal(cluster.Arns.TaskDefinition("web", 2), t.Task.TaskDefinitionArn));
        Assert.Contains(service.Events, e => e.Message.StartsWith("(service web) has stopped 2 running tasks", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServiceState_SurvivesARestartMidDeployment()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync(cpu: 8192, memory: 8192);
        await cluster.RegisterAsync();
        var created = await CreateAsync(cluster, desired: 2);
        await SettleAsync(cluster, created.ServiceArn);
        await cluster.RegisterAsync();
        await cluster.Api.Services.UpdateServiceAsync(new UpdateServiceRequest { Service = "web", TaskDefinition = "web:2" }, Token);
        await ReconcileAsync(cluster, created.ServiceArn); // new tasks placed, old still running

        using var restarted = cluster.Restart();
        restarted.Sessions.Open(Assert.Single(restarted.Store.Current.Instances.Values).Arn);
        await SettleAsync(restarted, created.ServiceArn);

        var live = restarted.Store.Current.Tasks.Values.Where(t => t.Task.LastStatus != TaskStatus.Stopped).ToList();
        Assert.Equal(2, live.Count);
        Assert.All(live, t => Assert.Equal(restarted.Arns.TaskDefinition("web", 2), t.Task.TaskDefinitionArn));
        Assert.Single((await DescribeAsync(restarted)).Deployments);
    }

    [Fact]
    public async Task NoRoom_SaysWhyInAnEvent()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync(memory: 600);
        await cluster.RegisterAsync(memory: 512);
        var created = await CreateAsync(cluster, desired: 2);

        await ReconcileAsync(cluster, created.ServiceArn);

        var service = await DescribeAsync(cluster);
        Assert.Contains(service.Events, e => e.Message.StartsWith("(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ", StringComparison.Ordinal)
            && e.Message.Contains(") has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.", StringComparison.Ordinal));
        Assert.Single(cluster.Store.Current.Tasks);
    }

    [Fact]
    public async Task DeleteService_NeedsScaleToZeroOrForce_ThenDrainsToInactive()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        var created = await CreateAsync(cluster, desired: 1);
        await SettleAsync(cluster, created.ServiceArn);

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Api.Services.DeleteServiceAsync(new DeleteServiceRequest { Service = "web" }, Token));
        Assert.Equal("The service cannot be stopped while it is scaled above 0.", error.Message);

        var deleted = (await cluster.Api.Services.DeleteServiceAsync(new DeleteServiceRequest { Service = "web", Force = true }, Token)).Service;
        Assert.Equal(ServiceStatus.Draining, deleted.Status);
        Assert.Empty((await cluster.Api.Services.ListServicesAsync(new ListServicesRequest(), Token)).ServiceArns);
        await SettleAsync(cluster, created.ServiceArn);

        Assert.Equal(ServiceStatus.Inactive, (await DescribeAsync(cluster)).Status);
        var notActive = await Assert.ThrowsAsync<EcsException>(() => cluster.Api.Services.UpdateServiceAsync(new UpdateServiceRequest { Service = "web", DesiredCount = 3 }, Token));
        Assert.Equal((EcsErrors.ServiceNotActive, "Service was not ACTIVE."), (notActive.ErrorType, notActive.Message));
    }

    [Theory]
    [InlineData("""{"serviceName":"d","taskDefinition":"web","schedulingStrategy":"DAEMON","desiredCount":2}""", "The daemon scheduling strategy does not support a desired count for services.")]
    [InlineData("""{"serviceName":"d","taskDefinition":"web","schedulingStrategy":"DAEMON","deploymentConfiguration":{"maximumPercent":200}}""", "The daemon scheduling strategy requires a maximumPercent of 100.")]
    [InlineData("""{"serviceName":"r","taskDefinition":"web","desiredCount":1,"deploymentConfiguration":{"minimumHealthyPercent":120}}""", "minimumHealthyPercent must be between 0 and 100, not 120.")]
    [InlineData("""{"serviceName":"r","taskDefinition":"web","desiredCount":1,"deploymentConfiguration":{"maximumPercent":300}}""", "maximumPercent must be between 100 and 200, not 300.")]
    [InlineData("""{"serviceName":"bad name","taskDefinition":"web","desiredCount":1}""", "Service name must be 1 to 255 characters: letters (uppercase and lowercase), numbers, hyphens and underscores.")]
    [InlineData("""{"serviceName":"r","taskDefinition":"web"}""", "desiredCount is required for services with the REPLICA scheduling strategy.")]
    public async Task CreateService_BadInput_IsRefused(string json, string message)
    {
        using var cluster = new TestCluster();
        await cluster.RegisterAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Actions.InvokeAsync("CreateService", json, Token));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task UnknownService_IsServiceNotFound()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Api.Services.UpdateServiceAsync(new UpdateServiceRequest { Service = "nope", DesiredCount = 1 }, Token));
        var described = await cluster.Api.Services.DescribeServicesAsync(new DescribeServicesRequest { Services = ["nope"] }, Token);

        Assert.Equal((EcsErrors.ServiceNotFound, "Service not found."), (error.ErrorType, error.Message));
        Assert.Equal("MISSING", Assert.Single(described.Failures).Reason);
    }

    [Fact]
    public async Task CreateService_SameNameAgain_IsIdempotentOnlyWithTheSameParameters()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        await cluster.RegisterAsync();
        var first = await CreateAsync(cluster, desired: 2);

        var again = await CreateAsync(cluster, desired: 2);
        var error = await Assert.ThrowsAsync<EcsException>(() => CreateAsync(cluster, desired: 3));

        Assert.Equal(first.ServiceArn, again.ServiceArn);
        Assert.Equal("Creation of service was not idempotent.", error.Message);
    }

    private static async Task<Service> CreateAsync(TestCluster cluster, int desired) =>
        (await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest { ServiceName = "web", TaskDefinition = "web", DesiredCount = desired }, Token)).Service;

    private static async Task<Service> DescribeAsync(TestCluster cluster) =>
        Assert.Single((await cluster.Api.Services.DescribeServicesAsync(new DescribeServicesRequest { Services = ["web"] }, Token)).Services);

    private static Task ReconcileAsync(TestCluster cluster, string serviceArn) => cluster.Scheduler.ReconcileAsync(serviceArn, Token);

    /// <summary>Scheduler passes with agents that start and stop whatever they are asked to, until nothing changes.</summary>
    private static async Task SettleAsync(TestCluster cluster, string serviceArn)
    {
        for (var pass = 0; pass < 20; pass++)
        {
            var version = cluster.Store.Current.Version;
            await ReconcileAsync(cluster, serviceArn);
            await cluster.CompleteStopsAsync();
            await cluster.ReportAllAsync(Status.Running, t => t.Task.LastStatus == TaskStatus.Pending && t.Task.DesiredStatus == TaskStatus.Running);
            if (cluster.Store.Current.Version == version)
            {
                return;
            }
        }

        Assert.Fail("The service did not settle in 20 passes.");
    }
}

public sealed class TaskHealthTests
{
    private static ControlPlane.State.TaskRecord Task(string lastStatus, string health) => new()
    {
        ClusterName = "default",
        Reserved = new TaskRequirements(0, 0, [], []),
        Task = new EcsTask { TaskArn = "t", LastStatus = lastStatus, HealthStatus = health },
    };

    private static TaskDefinition Definition(bool essentialCheck, bool sidecarCheck = false) => new()
    {
        Family = "f",
        ContainerDefinitions =
        [
            new ContainerDefinition { Name = "app", HealthCheck = essentialCheck ? new HealthCheck { Command = ["CMD-SHELL", "true"] } : null },
            new ContainerDefinition { Name = "side", Essential = false, HealthCheck = sidecarCheck ? new HealthCheck { Command = ["CMD-SHELL", "true"] } : null },
        ],
    };

    [Theory]
    [InlineData("PENDING", "UNKNOWN", true, TaskHealth.Starting)]
    [InlineData("RUNNING", "UNKNOWN", true, TaskHealth.Unknown)]
    [InlineData("RUNNING", "UNKNOWN", false, TaskHealth.Healthy)]
    [InlineData("RUNNING", "HEALTHY", true, TaskHealth.Healthy)]
    [InlineData("RUNNING", "UNHEALTHY", true, TaskHealth.Unhealthy)]
    [InlineData("STOPPED", "UNHEALTHY", true, TaskHealth.Stopped)]
    public void HealthOf_StatusAndHealth_GiveTheServiceView(string lastStatus, string health, bool essentialCheck, TaskHealth expected) =>
        Assert.Equal(expected, ServiceScheduler.HealthOf(Task(lastStatus, health), Definition(essentialCheck)));

    [Fact]
    public void HealthOf_OnlyANonEssentialContainerHasACheck_RunningIsHealthy() =>
        Assert.Equal(TaskHealth.Healthy, ServiceScheduler.HealthOf(Task("RUNNING", "UNKNOWN"), Definition(essentialCheck: false, sidecarCheck: true)));
}
