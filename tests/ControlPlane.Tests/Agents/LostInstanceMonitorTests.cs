using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Agents;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Agents;

public sealed class LostInstanceMonitorTests
{
    private static CancellationToken Token => TestCluster.Token;

    private static LostInstanceMonitor Monitor(TestCluster cluster) => new(
        cluster.Store, cluster.Sessions,
        Options.Create(new ControlPlaneOptions { InstanceLostGrace = TimeSpan.FromSeconds(2), AgentReconnectAllowance = TimeSpan.FromSeconds(30) }),
        cluster.Clock, NullLogger<LostInstanceMonitor>.Instance);

    [Fact]
    public async Task LostInstance_ServiceTasksAreReplacedElsewhere_ThenSupersededOnReturn()
    {
        using var cluster = new TestCluster();
        cluster.Clock.Advance(TimeSpan.FromMinutes(1)); // past the allowance for reconnecting after a start
        var (lostArn, lostSession) = await cluster.AddInstanceAsync();
        await cluster.AddInstanceAsync();
        await cluster.RegisterAsync(memory: 16);
        var service = (await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest { ServiceName = "web", TaskDefinition = "web", DesiredCount = 4 }, Token)).Service;
        await cluster.Scheduler.ReconcileAsync(service.ServiceArn, Token);
        await cluster.ReportAllAsync(Status.Running);
        var standalone = (await cluster.Api.Tasks.StartTaskAsync(new StartTaskRequest { TaskDefinition = "web", ContainerInstances = [lostArn] }, Token)).Tasks[0];
        var onLost = cluster.Store.Current.TasksOn(lostArn).Where(t => t.Task.Group == "service:web").Select(t => t.Arn).ToList();
        Assert.Equal(2, onLost.Count);

        cluster.Sessions.Close(lostSession);
        cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        await Monitor(cluster).CheckAsync(Token);
        Assert.All(onLost, arn => Assert.Equal(TaskStatus.Running, cluster.Store.Current.Task(arn)!.Task.LastStatus)); // within the grace

        cluster.Clock.Advance(TimeSpan.FromSeconds(2));
        await Monitor(cluster).CheckAsync(Token);
        Assert.All(onLost, arn => Assert.StartsWith("Container instance", cluster.Store.Current.Task(arn)!.Task.StoppedReason, StringComparison.Ordinal));
        Assert.Equal(TaskStatus.Pending, cluster.Store.Current.Task(standalone.TaskArn)!.Task.LastStatus); // standalone tasks are left alone

        await cluster.Scheduler.ReconcileAsync(service.ServiceArn, Token);
        var live = cluster.Store.Current.Tasks.Values.Where(t => t.Task.Group == "service:web" && t.Task.LastStatus != TaskStatus.Stopped).ToList();
        Assert.Equal(4, live.Count);
        Assert.DoesNotContain(live, t => t.Task.ContainerInstanceArn == lostArn);

        // The agent comes back still running the old tasks: it is told to stop them.
        var hello = new SessionHello { ContainerInstanceArn = lostArn };
        hello.Tasks.Add(onLost.Select(arn => new TaskState { TaskArn = arn, LastStatus = Status.Running }));
        var messages = await cluster.Reports.OpenSessionAsync(hello, Token);
        Assert.Equal(onLost.Order(), messages.Where(m => m.StopTask is not null).Select(m => m.StopTask.TaskArn).Order());
        Assert.Contains(messages, m => m.RunTask?.TaskArn == standalone.TaskArn);
    }

    [Fact]
    public async Task FreshlyStartedControlPlane_GivesAgentsTimeToReconnect()
    {
        using var cluster = new TestCluster();
        var (arn, session) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync(memory: 16);
        var service = (await cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest { ServiceName = "web", TaskDefinition = "web", DesiredCount = 1 }, Token)).Service;
        await cluster.Scheduler.ReconcileAsync(service.ServiceArn, Token);
        cluster.Sessions.Close(session);

        cluster.Clock.Advance(TimeSpan.FromSeconds(10));
        await Monitor(cluster).CheckAsync(Token);

        Assert.All(cluster.Store.Current.TasksOn(arn), t => Assert.NotEqual(TaskStatus.Stopped, t.Task.LastStatus));
    }
}
