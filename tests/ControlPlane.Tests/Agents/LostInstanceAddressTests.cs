using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.ControlPlane.Tests.Networking;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Agents;

/// <summary>
/// An awsvpc task stopped because its host was lost may still run there with its address: the address is not given
/// to another task until the host's agent says the task has stopped, or the instance is deregistered.
/// </summary>
public sealed class LostInstanceAddressTests
{
    private static CancellationToken Token => TestCluster.Token;

    private static TestCluster NewCluster() => new(subnets: SubnetOptionsTests.Parse("subnet-a cidr=10.9.0.0/24 range=10.9.0.10-10.9.0.11"));

    private static LostInstanceMonitor Monitor(TestCluster cluster) => new(
        cluster.Store, cluster.Sessions,
        Options.Create(new ControlPlaneOptions { InstanceLostGrace = TimeSpan.FromSeconds(2), AgentReconnectAllowance = TimeSpan.FromSeconds(30) }),
        cluster.Clock, NullLogger<LostInstanceMonitor>.Instance);

    private static async Task<(string Lost, AgentSession Session, string Task)> LoseAnAwsvpcServiceTaskAsync(TestCluster cluster)
    {
        cluster.Clock.Advance(TimeSpan.FromMinutes(1));
        var (lost, session) = await cluster.AddInstanceAsync(r => r.Resources.AwsvpcTaskLimit = 4);
        await cluster.Api.TaskDefinitions.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest
        {
            Family = "api",
            NetworkMode = NetworkModes.Awsvpc,
            ContainerDefinitions = [new ContainerDefinition { Name = "api", Image = "local/busybox:1", Memory = 16 }],
        }, Token);
        var service = (await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest { ServiceName = "api", TaskDefinition = "api", DesiredCount = 1 }, Token)).Service;
        await cluster.Scheduler.ReconcileAsync(service.ServiceArn, Token);
        await cluster.ReportAllAsync(Status.Running);
        var task = Assert.Single(cluster.Store.Current.TasksOn(lost)).Arn;
        await cluster.AddInstanceAsync(r => r.Resources.AwsvpcTaskLimit = 4);

        cluster.Sessions.Close(session);
        cluster.Clock.Advance(TimeSpan.FromSeconds(3));
        await Monitor(cluster).CheckAsync(Token);
        Assert.Equal(TaskStatus.Stopped, cluster.Store.Current.Task(task)!.Task.LastStatus);
        await cluster.Scheduler.ReconcileAsync(service.ServiceArn, Token);
        return (lost, session, task);
    }

    [Fact]
    public async Task LostHostsTask_KeepsItsAddress_TheReplacementGetsAnother_UntilTheAgentSaysItStopped()
    {
        using var cluster = NewCluster();
        var (lost, _, task) = await LoseAnAwsvpcServiceTaskAsync(cluster);

        var replacement = cluster.Store.Current.Tasks.Values.Single(t => t.Task.LastStatus != TaskStatus.Stopped);
        Assert.Equal("10.9.0.11", replacement.Address!.Ipv4Address);
        Assert.Equal(task, cluster.Store.Current.Addresses["10.9.0.10"]);

        // The agent comes back with the task still running: told to stop it, the address still taken.
        var hello = new SessionHello { ContainerInstanceArn = lost, ThroughSequence = 1 };
        hello.Tasks.Add(new TaskState { TaskArn = task, LastStatus = Status.Running });
        await cluster.Reports.OpenSessionAsync(hello, Token);
        Assert.True(cluster.Store.Current.Addresses.ContainsKey("10.9.0.10"));

        await cluster.Reports.ApplyAsync(lost, new TaskStateChange { Sequence = 2, Task = new TaskState { TaskArn = task, LastStatus = Status.Stopped } }, Token);

        Assert.False(cluster.Store.Current.Addresses.ContainsKey("10.9.0.10"));
        Assert.False(cluster.Store.Current.Task(task)!.AwaitingAgentStop);
    }

    [Fact]
    public async Task LostHostReturnsWithoutTheTask_AddressIsFree()
    {
        using var cluster = NewCluster();
        var (lost, _, _) = await LoseAnAwsvpcServiceTaskAsync(cluster);

        await cluster.Reports.OpenSessionAsync(new SessionHello { ContainerInstanceArn = lost, ThroughSequence = 1 }, Token);

        Assert.Equal(["10.9.0.11"], cluster.Store.Current.Addresses.Keys);
    }

    [Fact]
    public async Task LostHostDeregistered_AddressIsFree()
    {
        using var cluster = NewCluster();
        var (lost, _, _) = await LoseAnAwsvpcServiceTaskAsync(cluster);

        await cluster.Api.ContainerInstances.DeregisterContainerInstanceAsync(new DeregisterContainerInstanceRequest { ContainerInstance = lost, Force = true }, Token);

        Assert.Equal(["10.9.0.11"], cluster.Store.Current.Addresses.Keys);
    }
}
