using Orchestrator.Agent.Awsvpc;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>awsvpc tasks on the task engine against the fake Docker: the pause container, its network and address.</summary>
public sealed class TaskEngineAwsvpcTests : IAsyncLifetime
{
    private const string Image = "local/busybox:1";
    private const string Network = "orch-awsvpc";

    private readonly TempDirectory _program = new();
    private readonly EngineHarness _harness;

    public TaskEngineAwsvpcTests()
    {
        var pause = Path.Combine(_program.Path, "pause");
        File.WriteAllBytes(pause, [0x7f, (byte)'E', (byte)'L', (byte)'F', 1, 2, 3]);
        _harness = new EngineHarness(options: new AgentOptions { AwsvpcInterface = "eth0", PauseProgram = pause });
        PauseImageName = PauseImage.FromFile(pause).Name;
    }

    private string PauseImageName { get; }

    private FakeDockerDriver Docker => _harness.Fake;

    private Orchestrator.Agent.State.AgentStore Store => _harness.Store;

    public async ValueTask InitializeAsync()
    {
        Docker.Images[Image] = "sha256:present";
        await _harness.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        _program.Dispose();
    }

    private static RunTaskCommand NewTask(string address = "10.9.0.10", params ContainerDefinition[] containers)
    {
        var command = RunTask(Definition(containers.Length == 0 ? [Container("app", containerPorts: 80)] : containers) with { NetworkMode = NetworkModes.Awsvpc });
        return command with { Network = new TaskNetworkRecord("att-" + address, "subnet-a", address, 24, "10.9.0.1") };
    }

    [Fact]
    public async Task RunTask_Awsvpc_PauseContainerHoldsTheAddressAndTheAppJoinsIt()
    {
        var command = NewTask();

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        Assert.Equal([PauseImageName], Docker.Loaded);
        var network = Assert.Single(Docker.Networks.Values);
        Assert.Equal((Network, "macvlan", "eth0"), (network.Name, network.Driver, network.Options["parent"]));
        Assert.Equal([new NetworkSubnet("10.9.0.0/24", "10.9.0.1")], network.Subnets);

        var created = Docker.Created.ToList();
        Assert.Equal(2, created.Count);
        var (pause, app) = (created[0], created[1]);
        Assert.Equal((PauseImageName, Network, "10.9.0.10"), (pause.Image, pause.NetworkMode, pause.Ipv4Address));
        Assert.Equal(AwsvpcTaskName, pause.Labels[ContainerSpecBuilder.ContainerNameLabel]);
        Assert.Equal(command.TaskArn, pause.Labels[ContainerSpecBuilder.TaskArnLabel]);
        var pauseId = task.Container(AwsvpcTaskName)!.RuntimeId;
        Assert.Equal($"container:{pauseId}", app.NetworkMode);
        Assert.False(app.PublishPorts);
        Assert.Null(app.Ipv4Address);

        var reported = Store.Changes(command.TaskArn)[^1].Task;
        Assert.Equal(ReportedStatus.Running, reported.LastStatus);
        Assert.Equal(["app"], reported.Containers.Select(c => c.Name)); // the pause container is the agent's own
        Assert.Empty(reported.Containers[0].NetworkBindings);
        var reportedInterface = Assert.Single(reported.NetworkInterfaces);
        Assert.Equal(("att-10.9.0.10", "10.9.0.10", "02:42:0a:00:00:0a"), (reportedInterface.AttachmentId, reportedInterface.Ipv4Address, reportedInterface.MacAddress));
    }

    private static string AwsvpcTaskName => Orchestrator.Agent.Awsvpc.AwsvpcTask.PauseContainer;

    [Fact]
    public async Task SecondTask_ReusesTheImageAndTheNetwork()
    {
        var first = NewTask("10.9.0.10");
        var second = NewTask("10.9.0.11");

        _harness.Engine.RunTask(first);
        await Store.WaitForStatusAsync(first.TaskArn, LifecycleStatus.Running);
        _harness.Engine.RunTask(second);
        await Store.WaitForStatusAsync(second.TaskArn, LifecycleStatus.Running);

        Assert.Single(Docker.Loaded);
        Assert.Single(Docker.Networks);
        Assert.Empty(Docker.RemovedNetworks);
    }

    [Fact]
    public async Task StopTask_StopsTheAppThenThePause_CleanupRemovesThePauseLast()
    {
        var command = NewTask();
        _harness.Engine.RunTask(command);
        var running = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);

        _harness.Engine.StopTask(command.TaskArn, "done");

        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        var (pauseId, appId) = (running.Container(AwsvpcTaskName)!.RuntimeId!, running.Container("app")!.RuntimeId!);
        Assert.Equal([(appId, TimeSpan.FromSeconds(30)), (pauseId, Orchestrator.Agent.Awsvpc.AwsvpcTask.PauseStopTimeout)], Docker.Stops);

        Store.Acknowledge(Store.LastSequence);
        _harness.FakeTime.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(10));
        await Store.WaitForAsync(() => Store.LoadTasks().Any(t => t.TaskArn == command.TaskArn) ? null : "", "the task to be cleaned up");
        Assert.Equal([appId, pauseId], Docker.Removed);
    }

    [Fact]
    public async Task NetworkCannotBeCreated_TaskStopsWithResourceInitializationError_NothingCreated()
    {
        Docker.NetworkFailure = "failed to create the macvlan port: invalid argument";
        var command = NewTask();

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal(TaskStopCode.TaskFailedToStart, task.StopCode);
        Assert.Equal("ResourceInitializationError: failed to set up the task's network (10.9.0.10 of subnet-a): failed to create the macvlan port: invalid argument", task.StoppedReason);
        Assert.Empty(Docker.Created);
        var reported = Store.Changes(command.TaskArn)[^1].Task;
        Assert.Equal((ReportedStatus.Stopped, task.StoppedReason), (reported.LastStatus, reported.StoppedReason));
        Assert.Empty(reported.NetworkInterfaces);
    }

    [Fact]
    public async Task PauseCannotStart_TaskStops_PauseContainerIsRemovedAtOnce()
    {
        Docker.StartFailures[PauseImageName] = "Address already in use";
        var command = NewTask();

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal("ResourceInitializationError: failed to set up the task's network (10.9.0.10 of subnet-a): Address already in use", task.StoppedReason);
        Assert.Equal(TaskStopCode.TaskFailedToStart, task.StopCode);
        var pause = Assert.Single(Docker.Created);
        Assert.Equal(PauseImageName, pause.Image); // the app is created only once the pause container runs
        Assert.Single(Docker.Removed); // the pause container, without waiting for the cleanup
        Assert.Equal(LifecycleStatus.Stopped, task.Container("app")!.KnownStatus);
    }

    [Fact]
    public async Task PauseGetsAnotherAddress_TaskStops_PauseIsRemoved()
    {
        Docker.AddressOverride = "10.9.0.99";
        var command = NewTask();

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal("ResourceInitializationError: failed to set up the task's network (10.9.0.10 of subnet-a): the pause container got 10.9.0.99 instead of 10.9.0.10", task.StoppedReason);
        Assert.Single(Docker.Removed);
    }

    [Fact]
    public async Task ExistingNetworkOnAnotherInterface_TaskStopsSayingWhatToDo()
    {
        Docker.Networks[Network] = new NetworkSpec { Name = Network, Driver = "bridge" };
        var command = NewTask();

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal("ResourceInitializationError: failed to set up the task's network (10.9.0.10 of subnet-a): the Docker network orch-awsvpc is a bridge network on '', "
            + "not a macvlan network on eth0; remove it (docker network rm orch-awsvpc) and the agent makes it again", task.StoppedReason);
    }

    [Fact]
    public async Task TaskOfAnotherSubnet_NetworkUnused_IsMadeAgainWithBothSubnets()
    {
        Docker.Networks[Network] = new NetworkSpec
        {
            Name = Network,
            Driver = "macvlan",
            Options = new Dictionary<string, string> { ["parent"] = "eth0" },
            Subnets = [new NetworkSubnet("10.8.0.0/24", "10.8.0.1")],
        };
        var command = NewTask("10.9.0.10");

        _harness.Engine.RunTask(command);

        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        Assert.Equal([Network], Docker.RemovedNetworks);
        Assert.Equal(["10.8.0.0/24", "10.9.0.0/24"], Docker.Networks[Network].Subnets.Select(s => s.Cidr));
    }

    [Fact]
    public async Task TaskOfAnotherSubnet_NetworkInUse_TaskStops()
    {
        var first = NewTask("10.9.0.10");
        _harness.Engine.RunTask(first);
        await Store.WaitForStatusAsync(first.TaskArn, LifecycleStatus.Running);
        var other = NewTask("10.7.0.10");
        other = other with { Network = other.Network! with { Gateway = "10.7.0.1", SubnetId = "subnet-b" } };

        _harness.Engine.RunTask(other);

        var task = await Store.WaitForStatusAsync(other.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal("ResourceInitializationError: failed to set up the task's network (10.7.0.10 of subnet-b): the Docker network orch-awsvpc on eth0 has 10.9.0.0/24; "
            + "the task's subnet subnet-b (10.7.0.0/24) can be added only while no task uses it", task.StoppedReason);
        Assert.Equal(LifecycleStatus.Running, Store.LoadTasks().Single(t => t.TaskArn == first.TaskArn).KnownStatus);
    }

    [Fact]
    public async Task RunTask_WithoutAnAddress_IsRefused()
    {
        var command = NewTask();
        command = command with { Network = null };

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal("ResourceInitializationError: the control plane sent no address for this awsvpc task.", task.StoppedReason);
    }

    [Fact]
    public async Task AgentRestart_AdoptsTheRunningTaskWithItsAddress()
    {
        var command = NewTask();
        _harness.Engine.RunTask(command);
        var before = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);

        await _harness.RestartAsync();
        _harness.Engine.StopTask(command.TaskArn, "after restart");

        var after = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal(before.Network, after.Network);
        Assert.Equal("10.9.0.10", after.Container(AwsvpcTaskName)!.Ipv4Address);
        Assert.Equal(2, Docker.Created.Count); // nothing made again
        Assert.Equal(2, Docker.Stops.Count);
    }
}
