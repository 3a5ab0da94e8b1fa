using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using Attribute = Orchestrator.Ecs.Model.Attribute;

namespace Orchestrator.ControlPlane.Tests.Application;

public sealed class InstanceActionsTests
{
    [Fact]
    public async Task PutAttributes_AreShownAndSurviveReRegistration()
    {
        using var cluster = new TestCluster();
        var (arn, _) = await cluster.AddInstanceAsync();

        await cluster.Api.Attributes.PutAttributesAsync(new PutAttributesRequest { Attributes = [new Attribute { Name = "zone", Value = "b", TargetId = arn[^32..], TargetType = "container-instance" }] }, TestCluster.Token);
        await cluster.AddInstanceAsync(); // another host; and the first re-registers below
        await cluster.Registration.RegisterAsync(new Contracts.Agent.RegisterRequest
        {
            Cluster = "default",
            ContainerInstanceArn = arn,
            Resources = new Contracts.Agent.HostResources { Cpu = 1024, MemoryMib = 1024 },
        }, TestCluster.Token);

        var listed = await cluster.Api.Attributes.ListAttributesAsync(new ListAttributesRequest { TargetType = "container-instance", AttributeName = "zone" }, TestCluster.Token);
        var entry = Assert.Single(listed.Attributes);
        Assert.Equal(("zone", "b", arn), (entry.Name, entry.Value, entry.TargetId));
        var instance = (await cluster.Api.ContainerInstances.DescribeContainerInstancesAsync(new DescribeContainerInstancesRequest { ContainerInstances = [arn] }, TestCluster.Token)).ContainerInstances[0];
        Assert.Contains(instance.Attributes, a => a.Name == "zone" && a.Value == "b");
    }

    [Fact]
    public async Task PutAttributes_MoreThanTenCustom_IsRefused()
    {
        using var cluster = new TestCluster();
        var (arn, _) = await cluster.AddInstanceAsync();
        for (var i = 0; i < 10; i++)
        {
            await cluster.Api.Attributes.PutAttributesAsync(new PutAttributesRequest { Attributes = [new Attribute { Name = $"a{i}", TargetId = arn }] }, TestCluster.Token);
        }

        var error = await Assert.ThrowsAsync<EcsException>(() =>
            cluster.Api.Attributes.PutAttributesAsync(new PutAttributesRequest { Attributes = [new Attribute { Name = "one-more", TargetId = arn }] }, TestCluster.Token));

        Assert.Equal("AttributeLimitExceededException", error.ErrorType);
    }

    [Theory]
    [InlineData("bad name", "x")]
    [InlineData("ok", " leading-space")]
    [InlineData("ok", "semi;colon")]
    public async Task PutAttributes_InvalidNameOrValue_IsRefused(string name, string value)
    {
        using var cluster = new TestCluster();
        var (arn, _) = await cluster.AddInstanceAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() =>
            cluster.Api.Attributes.PutAttributesAsync(new PutAttributesRequest { Attributes = [new Attribute { Name = name, Value = value, TargetId = arn }] }, TestCluster.Token));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
    }

    [Fact]
    public async Task DeleteAttributes_AgentAttribute_IsRefusedWithAReason()
    {
        using var cluster = new TestCluster();
        var (arn, _) = await cluster.AddInstanceAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() =>
            cluster.Api.Attributes.DeleteAttributesAsync(new DeleteAttributesRequest { Attributes = [new Attribute { Name = "ecs.os-type", TargetId = arn }] }, TestCluster.Token));

        Assert.Contains("reported by the container instance's agent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TagResource_MergesUntagRemovesAndDescribeShowsThem()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        var task = (await cluster.RunAsync()).Tasks[0];

        await cluster.Api.Tags.TagResourceAsync(new TagResourceRequest { ResourceArn = task.TaskArn, Tags = [new Tag("a", "1"), new Tag("b", "2")] }, TestCluster.Token);
        await cluster.Api.Tags.TagResourceAsync(new TagResourceRequest { ResourceArn = task.TaskArn, Tags = [new Tag("a", "3")] }, TestCluster.Token);
        await cluster.Api.Tags.UntagResourceAsync(new UntagResourceRequest { ResourceArn = task.TaskArn, TagKeys = ["b"] }, TestCluster.Token);

        var tags = (await cluster.Api.Tags.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceArn = task.TaskArn }, TestCluster.Token)).Tags;
        Assert.Equal([new Tag("a", "3")], tags);
        var described = await cluster.Api.Tasks.DescribeTasksAsync(new DescribeTasksRequest { Tasks = [task.TaskArn], Include = ["TAGS"] }, TestCluster.Token);
        Assert.Equal([new Tag("a", "3")], described.Tasks[0].Tags);
    }

    [Theory]
    [InlineData("arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef", EcsErrors.ResourceNotFound)]
    [InlineData("not-an-arn", EcsErrors.InvalidParameter)]
    [InlineData("arn:aws:ecs:us-east-1:123456789012:capacity-provider/x", EcsErrors.InvalidParameter)]
    public async Task TagResource_UnknownOrUntaggable_IsRefused(string arn, string type)
    {
        using var cluster = new TestCluster();

        var error = await Assert.ThrowsAsync<EcsException>(() =>
            cluster.Api.Tags.TagResourceAsync(new TagResourceRequest { ResourceArn = arn, Tags = [new Tag("a", "1")] }, TestCluster.Token));

        Assert.Equal(type, error.ErrorType);
    }

    [Fact]
    public async Task TagResource_ReservedPrefix_IsRefused()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), TestCluster.Token);

        var error = await Assert.ThrowsAsync<EcsException>(() =>
            cluster.Api.Tags.TagResourceAsync(new TagResourceRequest { ResourceArn = cluster.Arns.Cluster("default"), Tags = [new Tag("aws:owner", "me")] }, TestCluster.Token));

        Assert.Equal("Tag keys beginning with 'aws:' are reserved.", error.Message);
    }

    [Fact]
    public async Task StartTask_OnNamedInstances_ChecksResourcesPerInstance()
    {
        using var cluster = new TestCluster();
        var (big, _) = await cluster.AddInstanceAsync(memory: 4096);
        var (small, _) = await cluster.AddInstanceAsync(memory: 256);
        await cluster.RegisterAsync(memory: 512);

        var result = await cluster.Api.Tasks.StartTaskAsync(new StartTaskRequest
        {
            TaskDefinition = "web",
            ContainerInstances = [big, small[^32..], new string('f', 32)],
        }, TestCluster.Token);

        Assert.Equal(big, Assert.Single(result.Tasks).ContainerInstanceArn);
        Assert.Equal(2, result.Failures.Count);
        Assert.Contains(result.Failures, f => f.Arn == small && f.Reason == PlacementReasons.Memory);
        Assert.Contains(result.Failures, f => f.Arn == cluster.Arns.ContainerInstance("default", new string('f', 32)) && f.Reason == "MISSING");
    }

    [Fact]
    public async Task UpdateState_Draining_StopsNewPlacementsAndActiveRestoresThem()
    {
        using var cluster = new TestCluster();
        var (arn, _) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();

        var drained = await cluster.Api.ContainerInstances.UpdateContainerInstancesStateAsync(new UpdateContainerInstancesStateRequest { ContainerInstances = [arn], Status = "DRAINING" }, TestCluster.Token);
        Assert.Equal("DRAINING", drained.ContainerInstances[0].Status);
        Assert.Empty((await cluster.RunAsync()).Tasks);

        await cluster.Api.ContainerInstances.UpdateContainerInstancesStateAsync(new UpdateContainerInstancesStateRequest { ContainerInstances = [arn], Status = "ACTIVE" }, TestCluster.Token);
        Assert.Single((await cluster.RunAsync()).Tasks);
    }

    [Fact]
    public async Task Deregister_WithTasks_NeedsForce()
    {
        using var cluster = new TestCluster();
        var (arn, session) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        await cluster.RunAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() =>
            cluster.Api.ContainerInstances.DeregisterContainerInstanceAsync(new DeregisterContainerInstanceRequest { ContainerInstance = arn }, TestCluster.Token));
        Assert.Equal("Found running tasks on the instance.", error.Message);

        var forced = await cluster.Api.ContainerInstances.DeregisterContainerInstanceAsync(new DeregisterContainerInstanceRequest { ContainerInstance = arn, Force = true }, TestCluster.Token);
        Assert.Equal("INACTIVE", forced.ContainerInstance.Status);
        Assert.True(session.Closed.IsCancellationRequested);
        Assert.Empty((await cluster.Api.ContainerInstances.ListContainerInstancesAsync(new ListContainerInstancesRequest(), TestCluster.Token)).ContainerInstanceArns);
    }
}
