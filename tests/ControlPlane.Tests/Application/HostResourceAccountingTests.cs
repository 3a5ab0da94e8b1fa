using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Application;

/// <summary>GPUs and dynamic host ports as the control plane accounts for them: registered, placed, shown, released.</summary>
public sealed class HostResourceAccountingTests
{
    private static Task<TaskDefinitionResponse> RegisterGpuTaskAsync(TestCluster cluster) =>
        cluster.Api.TaskDefinitions.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = "train",
            ContainerDefinitions =
            [
                new ContainerDefinition { Name = "trainer", Image = "local/busybox:1", Memory = 32, ResourceRequirements = [new ResourceRequirement { Type = "GPU", Value = "2" }] },
                new ContainerDefinition { Name = "sidecar", Image = "local/busybox:1", Memory = 32 },
                new ContainerDefinition { Name = "eval", Image = "local/busybox:1", Memory = 32, ResourceRequirements = [new ResourceRequirement { Type = "GPU", Value = "1" }] },
            ],
        }, TestCluster.Token);

    private static Task<ContainerInstance> DescribeAsync(TestCluster cluster, string arn) =>
        cluster.Api.ContainerInstances.DescribeContainerInstancesAsync(new DescribeContainerInstancesRequest { ContainerInstances = [arn] }, TestCluster.Token)
            .ContinueWith(t => t.Result.ContainerInstances.Single(), TaskScheduler.Default);

    [Fact]
    public async Task RunTask_Gpus_AssignsDistinctRegisteredIdsAndSendsThem()
    {
        using var cluster = new TestCluster();
        var (arn, session) = await cluster.AddInstanceAsync(r => r.Resources.GpuIds.Add(["GPU-a", "GPU-b", "GPU-c", "GPU-d"]));
        await RegisterGpuTaskAsync(cluster);

        var task = Assert.Single((await cluster.RunAsync("train")).Tasks);

        Assert.Equal([["GPU-a", "GPU-b"], null, ["GPU-c"]], task.Containers.Select(c => c.GpuIds?.ToArray()));
        var sent = TestCluster.NextMessage(session)!.RunTask.Gpus;
        Assert.Equal([("trainer", "GPU-a,GPU-b"), ("eval", "GPU-c")], sent.Select(g => (g.ContainerName, string.Join(',', g.GpuIds))));
        var instance = await DescribeAsync(cluster, arn);
        Assert.Equal(["GPU-a", "GPU-b", "GPU-c", "GPU-d"], instance.RegisteredResources.Single(r => r.Name == "GPU").StringSetValue);
        Assert.Equal(["GPU-d"], instance.RemainingResources.Single(r => r.Name == "GPU").StringSetValue);

        var second = await cluster.RunAsync("train");
        Assert.Equal(PlacementReasons.Gpu, Assert.Single(second.Failures).Reason);

        await RunTaskTests.ReportAsync(cluster, arn, 1, task.TaskArn, Status.Stopped);
        var third = Assert.Single((await cluster.RunAsync("train")).Tasks);
        Assert.Equal(["GPU-a", "GPU-b"], third.Containers[0].GpuIds);
    }

    [Fact]
    public async Task RunTask_HostWithoutGpus_FailsWithResourceGpu()
    {
        using var cluster = new TestCluster();
        await cluster.AddInstanceAsync();
        await RegisterGpuTaskAsync(cluster);

        var failure = Assert.Single((await cluster.RunAsync("train")).Failures);

        Assert.Equal((PlacementReasons.Gpu, "The task needs 3 GPUs; the container instance has 0 free."), (failure.Reason, failure.Detail));
    }

    [Fact]
    public async Task RunTask_DynamicPortRangeExhausted_FailsWithResourcePortsUntilAPortIsFree()
    {
        using var cluster = new TestCluster();
        var (arn, _) = await cluster.AddInstanceAsync(r =>
        {
            r.Resources.DynamicPortFirst = 40000;
            r.Resources.DynamicPortLast = 40002;
        }, reservedPorts: [22, 40001]);
        await cluster.RegisterAsync(); // one mapping with hostPort 0
        var first = Assert.Single((await cluster.RunAsync()).Tasks);
        Assert.Single((await cluster.RunAsync()).Tasks);

        var third = await cluster.RunAsync();

        var failure = Assert.Single(third.Failures);
        Assert.Equal((arn, PlacementReasons.Ports), (failure.Arn, failure.Reason));
        Assert.Equal("The task needs 1 dynamic TCP host port; the container instance has 0 left in its dynamic port range 40000-40002.", failure.Detail);

        var bound = new ContainerState { Name = "web", LastStatus = Status.Running };
        bound.NetworkBindings.Add(new Contracts.Agent.NetworkBinding { BindIp = "0.0.0.0", ContainerPort = 80, HostPort = 40002, Protocol = "tcp" });
        await RunTaskTests.ReportAsync(cluster, arn, 1, first.TaskArn, Status.Running, bound);
        var instance = await DescribeAsync(cluster, arn);
        Assert.Equal(["22", "40001", "40002"], instance.RemainingResources.Single(r => r.Name == ResourceNames.Ports).StringSetValue);
        Assert.Equal((0, 3), (Integer(instance.RemainingResources, "PORTS_DYNAMIC"), Integer(instance.RegisteredResources, "PORTS_DYNAMIC")));
        Assert.Equal(3, Integer(instance.RemainingResources, "PORTS_DYNAMIC_UDP")); // 40001 is reserved for TCP only

        await RunTaskTests.ReportAsync(cluster, arn, 2, first.TaskArn, Status.Stopped);
        Assert.Single((await cluster.RunAsync()).Tasks);
    }

    [Fact]
    public async Task Register_BadDynamicPortRange_IsRefused()
    {
        using var cluster = new TestCluster();

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.AddInstanceAsync(r =>
        {
            r.Resources.DynamicPortFirst = 50000;
            r.Resources.DynamicPortLast = 40000;
        }));

        Assert.Equal("The dynamic port range 50000-40000 is not a range of ports within 1-65535.", error.Message);
    }

    private static int Integer(IReadOnlyList<Resource> resources, string name) => resources.Single(r => r.Name == name).IntegerValue;
}
