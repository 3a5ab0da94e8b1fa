using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Application;

public sealed class RunTaskTests
{
    [Fact]
    public async Task RunTask_PlacesTaskAndSendsItToTheAgent()
    {
        using var cluster = new TestCluster();
        var (instanceArn, session) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();

        var result = await cluster.RunAsync();

        var task = Assert.Single(result.Tasks);
        Assert.Empty(result.Failures);
        Assert.Matches("^arn:aws:ecs:us-east-1:123456789012:task/default/[0-9a-f]{32}$", task.TaskArn);
        Assert.Equal(instanceArn, task.ContainerInstanceArn);
        Assert.Equal(TaskStatus.Pending, task.LastStatus);
        Assert.Equal(TaskStatus.Running, task.DesiredStatus);
        Assert.Equal("family:web", task.Group);
        Assert.Equal("web", Assert.Single(task.Containers).Name);
        Assert.Equal("web", Assert.Single(task.Overrides!.ContainerOverrides!).Name);

        var message = TestCluster.NextMessage(session);
        Assert.NotNull(message?.RunTask);
        Assert.Equal(task.TaskArn, message.RunTask.TaskArn);
        var sent = EcsJson.Deserialize<TaskDefinition>(message.RunTask.TaskDefinitionJson);
        Assert.Equal("local/busybox:1", Assert.Single(sent.ContainerDefinitions).Image);
    }

    [Fact]
    public async Task RunTask_ReservesResourcesUntilTheTaskStops()
    {
        using var cluster = new TestCluster();
        var (instanceArn, _) = await cluster.AddInstanceAsync(cpu: 1024, memory: 1024);
        await cluster.RegisterAsync(memory: 600, cpu: 100);
        var first = (await cluster.RunAsync()).Tasks[0];

        var second = await cluster.RunAsync();
        Assert.Empty(second.Tasks);
        var failure = Assert.Single(second.Failures);
        Assert.Equal(instanceArn, failure.Arn);
        Assert.Equal(PlacementReasons.Memory, failure.Reason);
        Assert.Contains("424 MiB left", failure.Detail, StringComparison.Ordinal);

        await ReportAsync(cluster, instanceArn, 1, first.TaskArn, Status.Stopped);

        Assert.Single((await cluster.RunAsync()).Tasks);
    }

    [Fact]
    public async Task RunTask_StaticHostPortInUse_FailsWithResourcePorts()
    {
        using var cluster = new TestCluster();
        var (instanceArn, _) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync(hostPort: 8080);
        Assert.Single((await cluster.RunAsync()).Tasks);

        var second = await cluster.RunAsync();

        Assert.Empty(second.Tasks);
        Assert.Equal(PlacementReasons.Ports, Assert.Single(second.Failures).Reason);
        var instance = (await cluster.Api.ContainerInstances.DescribeContainerInstancesAsync(new DescribeContainerInstancesRequest { ContainerInstances = [instanceArn] }, TestCluster.Token)).ContainerInstances[0];
        Assert.Equal(["22", "8080"], instance.RemainingResources.Single(r => r.Name == "PORTS").StringSetValue);
        Assert.Equal(["22"], instance.RegisteredResources.Single(r => r.Name == "PORTS").StringSetValue);
    }

    [Fact]
    public async Task RunTask_ReservedPort_IsNeverGivenToATask()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync(reservedPorts: [22, 2375]);
        await cluster.RegisterAsync(hostPort: 2375);

        var result = await cluster.RunAsync();

        Assert.Equal(PlacementReasons.Ports, Assert.Single(result.Failures).Reason);
    }

    [Fact]
    public async Task RunTask_MoreThanFits_PlacesWhatFitsAndSaysWhyNotTheRest()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync(memory: 1024);
        await cluster.AddInstanceAsync(memory: 1024);
        await cluster.RegisterAsync(memory: 512);

        var result = await cluster.RunAsync(count: 5);

        Assert.Equal(4, result.Tasks.Count);
        Assert.Equal(2, result.Tasks.Select(t => t.ContainerInstanceArn).Distinct().Count());
        Assert.All(result.Failures, f => Assert.Equal(PlacementReasons.Memory, f.Reason));
    }

    [Fact]
    public async Task RunTask_DisconnectedAgent_FailsWithAgent()
    {
        using var cluster = new TestCluster();
        var (_, session) = await cluster.AddInstanceAsync();
        cluster.Sessions.Close(session);
        await cluster.RegisterAsync();

        var result = await cluster.RunAsync();

        Assert.Equal(PlacementReasons.Agent, Assert.Single(result.Failures).Reason);
    }

    [Theory]
    [InlineData("nope", "web", EcsErrors.ClusterNotFound, "Cluster not found.")]
    [InlineData("default", "missing", EcsErrors.Client, "TaskDefinition not found.")]
    [InlineData("default", "web:7", EcsErrors.Client, "TaskDefinition not found.")]
    public async Task RunTask_UnknownReference_FailsWithEcsError(string clusterName, string taskDefinition, string type, string message)
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.RunAsync(taskDefinition, cluster: clusterName));

        Assert.Equal(type, error.ErrorType);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task RunTask_NoInstances_SaysSo()
    {
        using var cluster = new TestCluster();
        await cluster.Api.Clusters.CreateClusterAsync(new CreateClusterRequest(), TestCluster.Token);
        await cluster.RegisterAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.RunAsync());

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.Equal("No Container Instances were found in your cluster.", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public async Task RunTask_CountOutOfRange_IsRefused(int count)
    {
        using var cluster = new TestCluster();
        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.RunAsync(count: count));
        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
    }

    [Fact]
    public async Task RunTask_InactiveRevision_IsRefused()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        await cluster.Api.TaskDefinitions.DeregisterTaskDefinitionAsync(new DeregisterTaskDefinitionRequest { TaskDefinition = "web:1" }, TestCluster.Token);

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.RunAsync("web:1"));

        Assert.Equal("TaskDefinition is inactive", error.Message);
    }

    [Fact]
    public async Task StopTask_SetsDesiredStoppedAndTellsTheAgent()
    {
        using var cluster = new TestCluster();
        var (_, session) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        var task = (await cluster.RunAsync()).Tasks[0];
        TestCluster.NextMessage(session);

        var stopped = (await cluster.Api.Tasks.StopTaskAsync(new StopTaskRequest { Task = task.TaskArn[^32..], Reason = "maintenance" }, TestCluster.Token)).Task;

        Assert.Equal(TaskStatus.Stopped, stopped.DesiredStatus);
        Assert.Equal(TaskStatus.Pending, stopped.LastStatus);
        Assert.Equal(TaskStopCode.UserInitiated, stopped.StopCode);
        Assert.Equal("maintenance", stopped.StoppedReason);
        Assert.NotNull(stopped.StoppingAt);
        var message = TestCluster.NextMessage(session);
        Assert.Equal(task.TaskArn, message?.StopTask?.TaskArn);
    }

    [Fact]
    public async Task StopTask_UnknownTask_IsRefusedAsEcsDoes()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() =>
            cluster.Api.Tasks.StopTaskAsync(new StopTaskRequest { Task = new string('a', 32) }, TestCluster.Token));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.Equal("The referenced task was not found.", error.Message);
    }

    [Fact]
    public async Task DescribeTasks_UnknownTask_IsReportedMissing()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();

        var result = await cluster.Api.Tasks.DescribeTasksAsync(new DescribeTasksRequest { Tasks = [new string('b', 32)] }, TestCluster.Token);

        Assert.Empty(result.Tasks);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("MISSING", failure.Reason);
        Assert.Equal(cluster.Arns.Task("default", new string('b', 32)), failure.Arn);
    }

    [Fact]
    public async Task DescribeTasks_MalformedId_IsRefusedAsEcsDoes()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() =>
            cluster.Api.Tasks.DescribeTasksAsync(new DescribeTasksRequest { Tasks = ["short"] }, TestCluster.Token));

        Assert.Equal("taskId length should be one of [32,36]", error.Message);
    }

    [Fact]
    public async Task ListTasks_PagesThroughEveryTask()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync(cpu: 100_000, memory: 100_000);
        await cluster.RegisterAsync(memory: 16, cpu: 1);
        var all = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            all.AddRange((await cluster.RunAsync(count: 10)).Tasks.Select(t => t.TaskArn));
        }

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await cluster.Api.Tasks.ListTasksAsync(new ListTasksRequest { MaxResults = 7, NextToken = token }, TestCluster.Token);
            Assert.True(page.TaskArns.Count <= 7);
            seen.AddRange(page.TaskArns);
            token = page.NextToken;
        }
        while (token is not null);

        Assert.Equal(all.Order(StringComparer.Ordinal), seen);
    }

    internal static Task ReportAsync(TestCluster cluster, string instanceArn, ulong sequence, string taskArn, Status status, params ContainerState[] containers)
    {
        var state = new TaskState { TaskArn = taskArn, LastStatus = status };
        state.Containers.Add(containers);
        return cluster.Reports.ApplyAsync(instanceArn, new TaskStateChange { Sequence = sequence, Task = state }, TestCluster.Token);
    }
}
