using Microsoft.Data.Sqlite;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.ControlPlane.Tests.Networking;
using Orchestrator.Contracts.Agent;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Application;

/// <summary>awsvpc tasks on the control plane: an address from a subnet at the commit, sent to the agent, shown, freed.</summary>
public sealed class AwsvpcTaskTests
{
    /// <summary>Three addresses (.10–.12) for hosts with segment a; a second subnet for segment b.</summary>
    private static TestCluster NewCluster(string? directory = null) => new(directory, SubnetOptionsTests.Parse(
        "subnet-a cidr=10.9.0.0/24 range=10.9.0.10-10.9.0.12 gateway=10.9.0.1 hosts=attribute:segment == a",
        "subnet-b cidr=10.9.1.0/24 range=10.9.1.10-10.9.1.200 hosts=attribute:segment == b"));

    private static Task<(string Arn, AgentSession Session)> AddHostAsync(TestCluster cluster, string segment, int awsvpcTasks = 16) =>
        cluster.AddInstanceAsync(r =>
        {
            r.Resources.AwsvpcTaskLimit = awsvpcTasks;
            r.Attributes.Add(new Contracts.Agent.Attribute { Name = "segment", Value = segment });
        });

    private static Task RegisterAwsvpcAsync(TestCluster cluster, string family = "api") =>
        cluster.Api.TaskDefinitions.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = family,
            NetworkMode = NetworkModes.Awsvpc,
            ContainerDefinitions = [new ContainerDefinition { Name = "api", Image = "local/busybox:1", Memory = 32, PortMappings = [new PortMapping { ContainerPort = 80 }] }],
        }, TestCluster.Token);

    private static Task<TasksResponse> RunAsync(TestCluster cluster, int count = 1, params string[] subnets) =>
        cluster.Api.Tasks.RunTaskAsync(new RunTaskRequest
        {
            TaskDefinition = "api",
            Count = count,
            NetworkConfiguration = subnets.Length == 0 ? null : new NetworkConfiguration { AwsvpcConfiguration = new AwsvpcConfiguration { Subnets = subnets } },
        }, TestCluster.Token);

    private static string Address(EcsTask task) => Assert.Single(task.Attachments!).Detail(AttachmentDetails.PrivateIpv4Address)!;

    [Fact]
    public async Task RunTask_Awsvpc_GivesEachTaskItsOwnAddressAndSendsItToTheAgent()
    {
        using var cluster = NewCluster();
        var (_, session) = await AddHostAsync(cluster, "a");
        await RegisterAwsvpcAsync(cluster);

        var result = await RunAsync(cluster, count: 2);

        Assert.Empty(result.Failures);
        Assert.Equal(["10.9.0.10", "10.9.0.11"], result.Tasks.Select(Address));
        var attachment = result.Tasks[0].Attachments![0];
        Assert.Equal((Attachment.NetworkInterfaceType, AttachmentStatus.Precreated, "subnet-a"),
            (attachment.Type, attachment.Status, attachment.Detail(AttachmentDetails.SubnetId)));
        Assert.Matches("^eni-[0-9a-f]{17}$", attachment.Detail(AttachmentDetails.NetworkInterfaceId));

        var sent = TestCluster.NextMessage(session)!.RunTask.Network;
        Assert.Equal((attachment.Id, "subnet-a", "10.9.0.10", 24, "10.9.0.1"), (sent.AttachmentId, sent.SubnetId, sent.Ipv4Address, sent.PrefixLength, sent.Gateway));
    }

    [Fact]
    public async Task RunTask_SubnetRunsOut_FailsWithAReasonAndCreatesNoTask()
    {
        using var cluster = NewCluster();
        var (instanceArn, _) = await AddHostAsync(cluster, "a");
        await RegisterAwsvpcAsync(cluster);
        Assert.Equal(3, (await RunAsync(cluster, count: 3)).Tasks.Count);
        var tasksBefore = cluster.Store.Current.Tasks.Count;

        var result = await RunAsync(cluster, count: 2);

        Assert.Empty(result.Tasks);
        var failure = Assert.Single(result.Failures);
        Assert.Equal((instanceArn, PlacementReasons.Eni), (failure.Arn, failure.Reason));
        Assert.Equal("The subnet subnet-a (10.9.0.10-10.9.0.12) has no free address for the task's network interface.", failure.Detail);
        Assert.Equal(tasksBefore, cluster.Store.Current.Tasks.Count);
    }

    [Fact]
    public async Task StoppedTask_GivesItsAddressBack_TheNextTaskGetsIt()
    {
        using var cluster = NewCluster();
        var (instanceArn, _) = await AddHostAsync(cluster, "a");
        await RegisterAwsvpcAsync(cluster);
        var tasks = (await RunAsync(cluster, count: 3)).Tasks;
        await cluster.Api.Tasks.StopTaskAsync(new StopTaskRequest { Task = tasks[1].TaskArn }, TestCluster.Token);
        Assert.Empty((await RunAsync(cluster)).Tasks); // stopping is not stopped: the address is still in use

        await RunTaskTests.ReportAsync(cluster, instanceArn, 1, tasks[1].TaskArn, Status.Stopped);

        var stopped = cluster.Store.Current.Task(tasks[1].TaskArn)!.Task;
        Assert.Equal(AttachmentStatus.Deleted, Assert.Single(stopped.Attachments!).Status);
        Assert.Equal("10.9.0.11", Address(Assert.Single((await RunAsync(cluster)).Tasks)));
    }

    [Fact]
    public async Task RunTask_NamedSubnets_PlaceOnlyWhereTheyServe()
    {
        using var cluster = NewCluster();
        await AddHostAsync(cluster, "a");
        var (b, _) = await AddHostAsync(cluster, "b");
        await RegisterAwsvpcAsync(cluster);

        var result = await RunAsync(cluster, 4, "subnet-b");

        Assert.All(result.Tasks, t => Assert.Equal(b, t.ContainerInstanceArn));
        Assert.Equal(["10.9.1.10", "10.9.1.11", "10.9.1.12", "10.9.1.13"], result.Tasks.Select(Address));
    }

    [Fact]
    public async Task RunTask_HostWithoutAwsvpc_FailsWithEni()
    {
        using var cluster = NewCluster();
        var (arn, _) = await AddHostAsync(cluster, "a", awsvpcTasks: 0);
        await RegisterAwsvpcAsync(cluster);

        var failure = Assert.Single((await RunAsync(cluster)).Failures);

        Assert.Equal((arn, PlacementReasons.Eni), (failure.Arn, failure.Reason));
        Assert.Contains("does not run awsvpc tasks", failure.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"awsvpcConfiguration":{"subnets":[]}}""", "subnets can not be empty.")]
    [InlineData("""{"awsvpcConfiguration":{"subnets":["subnet-x"]}}""", "Error retrieving subnet information for [subnet-x]: The subnet ID 'subnet-x' does not exist.")]
    [InlineData("""{"awsvpcConfiguration":{"subnets":["subnet-a"],"securityGroups":["sg-1"]}}""", "securityGroups are not supported by this control plane: awsvpc tasks get no security groups.")]
    [InlineData("""{"awsvpcConfiguration":{"subnets":["subnet-a"],"assignPublicIp":"ENABLED"}}""", "assignPublicIp ENABLED is not supported: tasks get addresses of the control plane's subnets only.")]
    public async Task RunTask_BadNetworkConfiguration_IsRefusedAsEcsDoes(string configuration, string message)
    {
        using var cluster = NewCluster();
        await AddHostAsync(cluster, "a");
        await RegisterAwsvpcAsync(cluster);

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Actions.InvokeAsync(
            "RunTask", $$"""{"taskDefinition":"api","networkConfiguration":{{configuration}}}""", TestCluster.Token));

        Assert.Equal((EcsErrors.InvalidParameter, message), (error.ErrorType, error.Message));
    }

    [Fact]
    public async Task RunTask_NetworkConfigurationForABridgeTask_IsRefused()
    {
        using var cluster = NewCluster();
        await AddHostAsync(cluster, "a");
        await cluster.RegisterAsync();

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.Actions.InvokeAsync(
            "RunTask", """{"taskDefinition":"web","networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-a"]}}}""", TestCluster.Token));

        Assert.Equal("Network Configuration is not valid for the given networkMode of this task definition.", error.Message);
    }

    [Fact]
    public async Task AgentReport_AttachesTheInterface_ContainersShowTheAddress()
    {
        using var cluster = NewCluster();
        var (instanceArn, _) = await AddHostAsync(cluster, "a");
        await RegisterAwsvpcAsync(cluster);
        var task = Assert.Single((await RunAsync(cluster)).Tasks);
        var attachmentId = task.Attachments![0].Id!;

        var state = new TaskState { TaskArn = task.TaskArn, LastStatus = Status.Running };
        state.Containers.Add(new ContainerState { Name = "api", LastStatus = Status.Running });
        state.NetworkInterfaces.Add(new Contracts.Agent.NetworkInterface { AttachmentId = attachmentId, Ipv4Address = "10.9.0.10", MacAddress = "02:42:0a:09:00:0a" });
        await cluster.Reports.ApplyAsync(instanceArn, new TaskStateChange { Sequence = 1, Task = state }, TestCluster.Token);

        var described = Assert.Single((await cluster.Api.Tasks.DescribeTasksAsync(new DescribeTasksRequest { Tasks = [task.TaskArn] }, TestCluster.Token)).Tasks);
        var attachment = Assert.Single(described.Attachments!);
        Assert.Equal((AttachmentStatus.Attached, "02:42:0a:09:00:0a", "10.9.0.10"),
            (attachment.Status, attachment.Detail(AttachmentDetails.MacAddress), attachment.Detail(AttachmentDetails.PrivateIpv4Address)));
        var networkInterface = Assert.Single(Assert.Single(described.Containers).NetworkInterfaces!);
        Assert.Equal((attachmentId, "10.9.0.10"), (networkInterface.AttachmentId, networkInterface.PrivateIpv4Address));
    }

    [Fact]
    public async Task Restart_AddressesInUseStayInUse()
    {
        var cluster = NewCluster();
        try
        {
            await AddHostAsync(cluster, "a");
            await RegisterAwsvpcAsync(cluster);
            await RunAsync(cluster, count: 2);
            cluster = cluster.Restart();
            cluster.Sessions.Open(cluster.Store.Current.Instances.Keys.Single());

            Assert.Equal(["10.9.0.10", "10.9.0.11"], cluster.Store.Current.Addresses.Keys.Order(StringComparer.Ordinal));
            Assert.Equal("10.9.0.12", Address(Assert.Single((await RunAsync(cluster, count: 2)).Tasks)));
        }
        finally
        {
            cluster.Dispose();
        }
    }

    [Fact]
    public async Task Database_RefusesTwoLiveTasksWithOneAddress()
    {
        using var cluster = NewCluster();
        await AddHostAsync(cluster, "a");
        await RegisterAwsvpcAsync(cluster);
        var tasks = (await RunAsync(cluster, count: 2)).Tasks;

        using var connection = new SqliteConnection($"Data Source={Path.Combine(cluster.Directory, "state.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE tasks SET doc = json_set(doc, '$.address.ipv4Address', '10.9.0.10') WHERE key = $key";
        command.Parameters.AddWithValue("$key", tasks[1].TaskArn);

        var error = Assert.Throws<SqliteException>(() => command.ExecuteNonQuery());
        Assert.Contains("UNIQUE constraint failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StateSnapshot_TakingAnAddressAnotherTaskHolds_Throws()
    {
        using var cluster = NewCluster();
        await AddHostAsync(cluster, "a");
        await RegisterAwsvpcAsync(cluster);
        var tasks = (await RunAsync(cluster, count: 2)).Tasks;
        var second = cluster.Store.Current.Task(tasks[1].TaskArn)!;
        var taken = second with { Address = second.Address! with { Ipv4Address = "10.9.0.10" } };

        await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.Store.WriteAsync(tx => { tx.Put(taken); return 0; }, TestCluster.Token));

        Assert.Equal("10.9.0.11", cluster.Store.Current.Task(tasks[1].TaskArn)!.Address!.Ipv4Address); // nothing stored
    }
}
