using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Tests.Application;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Agents;

public sealed class SessionReportsTests
{
    [Fact]
    public async Task Register_WithSavedArn_ReturnsTheSameInstance()
    {
        using var cluster = new TestCluster();
        var (arn, _) = await cluster.AddInstanceAsync();

        var again = await cluster.Registration.RegisterAsync(new RegisterRequest
        {
            Cluster = "default",
            ContainerInstanceArn = arn,
            Resources = new HostResources { Cpu = 4096, MemoryMib = 8000 },
        }, TestCluster.Token);

        Assert.Equal(arn, again.Arn);
        var instance = Assert.Single(cluster.Store.Current.Instances.Values);
        Assert.Equal(4096, instance.Registered.Cpu);
        Assert.Equal(2, instance.Version);
    }

    [Fact]
    public async Task Register_UnknownCluster_IsRefusedButDefaultIsCreated()
    {
        using var cluster = new TestCluster();

        var error = await Assert.ThrowsAsync<EcsException>(() => cluster.AddInstanceAsync(cluster: "prod"));
        Assert.Equal(EcsErrors.ClusterNotFound, error.ErrorType);

        await cluster.AddInstanceAsync(cluster: "default");
        Assert.NotNull(cluster.Store.Current.Cluster("default"));
    }

    [Fact]
    public async Task Apply_RunningReport_RecordsBindingsAndStartedAt()
    {
        using var cluster = new TestCluster();
        var (arn, _) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        var task = (await cluster.RunAsync()).Tasks[0];
        var container = new ContainerState { Name = "web", LastStatus = Status.Running, RuntimeId = "abc" };
        container.NetworkBindings.Add(new Contracts.Agent.NetworkBinding { BindIp = "0.0.0.0", ContainerPort = 80, HostPort = 32768, Protocol = "tcp" });

        await RunTaskTests.ReportAsync(cluster, arn, 1, task.TaskArn, Status.Running, container);

        var stored = cluster.Store.Current.Task(task.TaskArn)!.Task;
        Assert.Equal(TaskStatus.Running, stored.LastStatus);
        Assert.Equal(cluster.Clock.GetUtcNow(), stored.StartedAt);
        var binding = Assert.Single(stored.Containers[0].NetworkBindings);
        Assert.Equal(32768, binding.HostPort);
        Assert.Equal("abc", stored.Containers[0].RuntimeId);
    }

    [Fact]
    public async Task Apply_RepeatedSequence_IsNotAppliedTwice()
    {
        using var cluster = new TestCluster();
        var (arn, _) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        var task = (await cluster.RunAsync()).Tasks[0];
        await RunTaskTests.ReportAsync(cluster, arn, 5, task.TaskArn, Status.Running);
        await RunTaskTests.ReportAsync(cluster, arn, 6, task.TaskArn, Status.Stopped,
            new ContainerState { Name = "web", LastStatus = Status.Stopped, ExitCode = 0 });
        var version = cluster.Store.Current.Task(task.TaskArn)!.Task.Version;

        // A resend of an already applied change (lost acknowledgement) changes nothing.
        await RunTaskTests.ReportAsync(cluster, arn, 6, task.TaskArn, Status.Stopped);
        await RunTaskTests.ReportAsync(cluster, arn, 5, task.TaskArn, Status.Running);

        var stored = cluster.Store.Current.Task(task.TaskArn)!.Task;
        Assert.Equal(TaskStatus.Stopped, stored.LastStatus);
        Assert.Equal(version, stored.Version);
        Assert.Equal(6UL, cluster.Store.Current.Instance(arn)!.LastSequence);
    }

    [Fact]
    public async Task Apply_EssentialExit_StopsTaskWithAgentsReason()
    {
        using var cluster = new TestCluster();
        var (arn, _) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        var task = (await cluster.RunAsync()).Tasks[0];

        var report = new TaskState
        {
            TaskArn = task.TaskArn,
            LastStatus = Status.Stopped,
            StopCode = TaskStopCode.EssentialContainerExited,
            StoppedReason = "Essential container in task exited",
        };
        report.Containers.Add(new ContainerState { Name = "web", LastStatus = Status.Stopped, ExitCode = 3 });
        await cluster.Reports.ApplyAsync(arn, new TaskStateChange { Sequence = 1, Task = report }, TestCluster.Token);

        var stored = cluster.Store.Current.Task(task.TaskArn)!.Task;
        Assert.Equal(TaskStatus.Stopped, stored.DesiredStatus);
        Assert.Equal(TaskStopCode.EssentialContainerExited, stored.StopCode);
        Assert.Equal("Essential container in task exited", stored.StoppedReason);
        Assert.Equal(3, stored.Containers[0].ExitCode);
        Assert.NotNull(stored.StoppedAt);
    }

    [Fact]
    public async Task OpenSession_ResendsWhatTheAgentLacksAndStopsWhatItShouldNotRun()
    {
        using var cluster = new TestCluster();
        var (arn, session) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync(memory: 16);
        var placedWhileAway = (await cluster.RunAsync()).Tasks[0];
        cluster.Sessions.Close(session); // the stream broke before the agent received the task

        var hello = new SessionHello { ContainerInstanceArn = arn, ThroughSequence = 9 };
        hello.Tasks.Add(new TaskState { TaskArn = cluster.Arns.Task("default", new string('c', 32)), LastStatus = Status.Running });
        var messages = await cluster.Reports.OpenSessionAsync(hello, TestCluster.Token);

        Assert.Equal(9UL, messages[0].Ack?.ThroughSequence);
        Assert.Contains(messages, m => m.RunTask?.TaskArn == placedWhileAway.TaskArn);
        Assert.Contains(messages, m => m.StopTask?.TaskArn == cluster.Arns.Task("default", new string('c', 32)));
        Assert.Equal(9UL, cluster.Store.Current.Instance(arn)!.LastSequence);
    }

    [Fact]
    public async Task OpenSession_TaskStoppedBeforeDelivery_IsStoppedWithoutTheAgent()
    {
        using var cluster = new TestCluster();
        var (arn, session) = await cluster.AddInstanceAsync();
        await cluster.RegisterAsync();
        var task = (await cluster.RunAsync()).Tasks[0];
        cluster.Sessions.Close(session);
        await cluster.Api.Tasks.StopTaskAsync(new StopTaskRequest { Task = task.TaskArn }, TestCluster.Token);

        var messages = await cluster.Reports.OpenSessionAsync(new SessionHello { ContainerInstanceArn = arn }, TestCluster.Token);

        Assert.DoesNotContain(messages, m => m.RunTask is not null);
        Assert.Equal(TaskStatus.Stopped, cluster.Store.Current.Task(task.TaskArn)!.Task.LastStatus);
        Assert.Empty(cluster.Store.Current.TasksOn(arn));
    }

    [Fact]
    public async Task OpenSession_UnknownInstance_IsNotFound()
    {
        using var cluster = new TestCluster();

        var error = await Assert.ThrowsAsync<EcsException>(() =>
            cluster.Reports.OpenSessionAsync(new SessionHello { ContainerInstanceArn = cluster.Arns.ContainerInstance("default", "x") }, TestCluster.Token));

        Assert.Equal(EcsErrors.ResourceNotFound, error.ErrorType);
    }
}
