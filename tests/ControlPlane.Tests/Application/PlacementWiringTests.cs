using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using Attribute = Orchestrator.Ecs.Model.Attribute;

namespace Orchestrator.ControlPlane.Tests.Application;

/// <summary>The ECS actions with the placement engine: constraints and strategies from requests and task definitions.</summary>
public sealed class PlacementWiringTests
{
    private static CancellationToken Token => TestCluster.Token;

    private static async Task<(string A, string B)> TwoZonesAsync(TestCluster cluster)
    {
        var (a, _) = await cluster.AddInstanceAsync();
        var (b, _) = await cluster.AddInstanceAsync();
        await cluster.Api.Attributes.PutAttributesAsync(new PutAttributesRequest
        {
            Attributes = [new Attribute { Name = "zone", Value = "a", TargetId = a }, new Attribute { Name = "zone", Value = "b", TargetId = b }],
        }, Token);
        return (a, b);
    }

    [Fact]
    public async Task RunTask_MemberOfConstraint_PlacesOnlyOnMatchingInstances()
    {
        using var cluster = new TestCluster();
        var (_, b) = await TwoZonesAsync(cluster);
        await cluster.RegisterAsync(memory: 16);

        var result = await cluster.Api.Tasks.RunTaskAsync(new RunTaskRequest
        {
            TaskDefinition = "web",
            Count = 6,
            PlacementConstraints = [new PlacementConstraint("memberOf", "attribute:zone == b")],
        }, Token);

        Assert.Equal(6, result.Tasks.Count);
        Assert.All(result.Tasks, t => Assert.Equal(b, t.ContainerInstanceArn));
    }

    [Fact]
    public async Task RunTask_SpreadByAttribute_BalancesZones()
    {
        using var cluster = new TestCluster();
        var (a, _) = await TwoZonesAsync(cluster);
        await cluster.RegisterAsync(memory: 16);

        var result = await cluster.Api.Tasks.RunTaskAsync(new RunTaskRequest
        {
            TaskDefinition = "web",
            Count = 10,
            PlacementStrategy = [new PlacementStrategy("spread", "attribute:zone")],
        }, Token);

        Assert.Equal(5, result.Tasks.Count(t => t.ContainerInstanceArn == a));
    }

    [Fact]
    public async Task RunTask_UnsatisfiableConstraint_FailsWithAttribute()
    {
        using var cluster = new TestCluster();
        await TwoZonesAsync(cluster);
        await cluster.RegisterAsync(memory: 16);

        var result = await cluster.Api.Tasks.RunTaskAsync(new RunTaskRequest
        {
            TaskDefinition = "web",
            PlacementConstraints = [new PlacementConstraint("memberOf", "attribute:zone == c")],
        }, Token);

        Assert.Empty(result.Tasks);
        Assert.Equal(2, result.Failures.Count);
        Assert.All(result.Failures, f => Assert.Equal(PlacementReasons.Attribute, f.Reason));
    }

    [Fact]
    public async Task RunTask_MalformedExpression_PointsAtThePosition()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Api.Tasks.RunTaskAsync(new RunTaskRequest
        {
            TaskDefinition = "web",
            PlacementConstraints = [new PlacementConstraint("memberOf", "attribute:zone ==")],
        }, Token));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.Contains("at character", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskDefinitionConstraints_ApplyToEveryRunAndOnlyMemberOfIsAllowed()
    {
        using var cluster = new TestCluster();
        var (a, _) = await TwoZonesAsync(cluster);
        var json = """
            {"family":"pinned","placementConstraints":[{"type":"memberOf","expression":"attribute:zone == a"}],
             "containerDefinitions":[{"name":"c","image":"i","memory":16}]}
            """;
        await cluster.Actions.InvokeAsync("RegisterTaskDefinition", json, Token);

        var result = await cluster.Api.Tasks.RunTaskAsync(new RunTaskRequest { TaskDefinition = "pinned", Count = 4 }, Token);
        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Actions.InvokeAsync("RegisterTaskDefinition",
            """{"family":"x","placementConstraints":[{"type":"distinctInstance"}],"containerDefinitions":[{"name":"c","image":"i","memory":16}]}""", Token));

        Assert.All(result.Tasks, t => Assert.Equal(a, t.ContainerInstanceArn));
        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
    }

    [Fact]
    public async Task ListContainerInstances_Filter_UsesTheClusterQueryLanguage()
    {
        using var cluster = new TestCluster();
        var (_, b) = await TwoZonesAsync(cluster);

        var listed = await cluster.Api.ContainerInstances.ListContainerInstancesAsync(new ListContainerInstancesRequest { Filter = "attribute:zone in [b, c]" }, Token);

        Assert.Equal([b], listed.ContainerInstanceArns);
    }

    [Fact]
    public async Task ServiceWithConstraint_PlacesOnlyOnMatchingInstances()
    {
        using var cluster = new TestCluster();
        var (a, _) = await TwoZonesAsync(cluster);
        await cluster.RegisterAsync(memory: 16);
        var service = (await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
        {
            ServiceName = "pinned",
            TaskDefinition = "web",
            DesiredCount = 3,
            PlacementConstraints = [new PlacementConstraint("memberOf", "attribute:zone == a")],
        }, Token)).Service;

        await cluster.Scheduler.ReconcileAsync(service.ServiceArn, Token);

        var tasks = cluster.Store.Current.Tasks.Values.ToList();
        Assert.Equal(3, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(a, t.Task.ContainerInstanceArn));
    }

    [Fact]
    public async Task DaemonService_WithStrategy_IsRefused()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), Token);
        await cluster.RegisterAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest
        {
            ServiceName = "d",
            TaskDefinition = "web",
            SchedulingStrategy = "DAEMON",
            PlacementStrategy = [new PlacementStrategy("spread", "instanceId")],
        }, Token));

        Assert.Equal("The daemon scheduling strategy does not support placement strategies.", error.Message);
    }
}
