using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>Dynamic host ports, task volumes, GPUs and the host's OS through the engine, against the fake Docker driver.</summary>
public sealed class TaskEngineResourcesTests : IAsyncDisposable
{
    private const string Image = "local/busybox:1";

    private EngineHarness _harness = null!;

    private FakeDockerDriver Docker => _harness.Fake;

    private Orchestrator.Agent.State.AgentStore Store => _harness.Store;

    private async Task StartAsync(DynamicPortRange? range = null, IPortProbe? probe = null, AgentOptions? options = null, string os = "linux")
    {
        _harness = new EngineHarness(options: options ?? new AgentOptions { TaskCleanupWait = TimeSpan.FromMinutes(1) }, portRange: range, portProbe: probe);
        Docker.Images[Image] = "sha256:present";
        Docker.HostInfo = Docker.HostInfo with { OsType = os };
        await _harness.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }

    private static TaskDefinition Web(string family, params PortMapping[] ports) => Definition(Container("web") with { PortMappings = ports }) with { Family = family };

    [Fact]
    public async Task DynamicPorts_PickedFromTheRangeRoundRobinAndSaved()
    {
        await StartAsync(new DynamicPortRange(40000, 40009));
        var first = RunTask(Web("a", new PortMapping { ContainerPort = 80 }, new PortMapping { ContainerPort = 53, Protocol = "udp", HostPort = 0 }));
        var second = RunTask(Web("b", new PortMapping { ContainerPort = 80 }));

        _harness.Engine.RunTask(first);
        var a = await Store.WaitForStatusAsync(first.TaskArn, LifecycleStatus.Running);
        _harness.Engine.RunTask(second);
        var b = await Store.WaitForStatusAsync(second.TaskArn, LifecycleStatus.Running);

        Assert.Equal([new PortAssignment(80, "tcp", 40000), new PortAssignment(53, "udp", 40001)], a.Containers[0].HostPorts);
        Assert.Equal([new PortAssignment(80, "tcp", 40002)], b.Containers[0].HostPorts);
        Assert.Equal(40002, Store.DynamicPortCursor);
        Assert.Equal([new PortSpec(80, 40000, "tcp"), new PortSpec(53, 40001, "udp")], Docker.Created.First().Ports);
        Assert.Contains(Store.Changes(second.TaskArn)[^1].Task.Containers[0].NetworkBindings, n => n.HostPort == 40002);
    }

    [Fact]
    public async Task DynamicPorts_SkipReservedStaticBusyAndHeldPorts()
    {
        var busy = new BusyProbe(40002);
        await StartAsync(new DynamicPortRange(40000, 40009), busy, new AgentOptions { ReservedPorts = "40000" });
        var holder = RunTask(Web("static", new PortMapping { ContainerPort = 80, HostPort = 40001 }));
        _harness.Engine.RunTask(holder);
        await Store.WaitForStatusAsync(holder.TaskArn, LifecycleStatus.Running);

        var command = RunTask(Web("dynamic", new PortMapping { ContainerPort = 80 }) with
        {
            ContainerDefinitions = [Container("other") with { PortMappings = [new PortMapping { ContainerPort = 80 }] }],
        });
        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        Assert.Equal(40003, task.Containers[0].HostPorts[0].HostPort);
        Assert.Contains((40002, "tcp"), busy.Asked);
    }

    [Fact]
    public async Task DynamicPorts_TakenByAnotherProcessAtStart_ContainerMadeAgainOnAnotherPort()
    {
        await StartAsync(new DynamicPortRange(40000, 40009));
        Docker.TakenHostPorts[40000] = 0;
        Docker.TakenHostPorts[40001] = 0;
        var command = RunTask(Web("a", new PortMapping { ContainerPort = 80 }));

        _harness.Engine.RunTask(command);
        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);

        Assert.Equal([new PortAssignment(80, "tcp", 40002)], task.Containers[0].HostPorts);
        Assert.Equal(3, Docker.Created.Count);
        for (var i = 0; i < 100 && Docker.Removed.Count < 2; i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal(2, Docker.Removed.Count); // the two containers published on taken ports
        Assert.Null(task.Containers[0].Reason);
    }

    [Fact]
    public async Task DynamicPorts_EveryPickTaken_TaskStopsAfterAFewAttempts()
    {
        await StartAsync(new DynamicPortRange(40000, 40019));
        for (var port = 40000; port <= 40019; port++)
        {
            Docker.TakenHostPorts[port] = 0;
        }

        var command = RunTask(Web("a", new PortMapping { ContainerPort = 80 }));
        _harness.Engine.RunTask(command);
        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);

        Assert.StartsWith("CannotStartContainerError: host port", task.Containers[0].Reason, StringComparison.Ordinal);
        Assert.Equal(TaskStateMachine.MaxHostPortRetries + 1, Docker.Created.Count);
    }

    [Theory]
    [InlineData("driver failed programming external connectivity on endpoint x (abc): Bind for 0.0.0.0:32768 failed: port is already allocated", 32768)]
    [InlineData("Error starting userland proxy: listen tcp4 0.0.0.0:40001: bind: address already in use", 40001)]
    [InlineData("OCI runtime create failed: exec: \"nope\": executable file not found", null)]
    public void TakenHostPort_DockerMessages_GiveThePort(string message, int? port) => Assert.Equal(port, DockerOperations.TakenHostPort(message));

    [Fact]
    public async Task DynamicPorts_RangeExhausted_TaskStoppedWithResourceInitializationError()
    {
        await StartAsync(new DynamicPortRange(40000, 40000));
        var first = RunTask(Web("a", new PortMapping { ContainerPort = 80 }));
        _harness.Engine.RunTask(first);
        await Store.WaitForStatusAsync(first.TaskArn, LifecycleStatus.Running);

        var second = RunTask(Web("b", new PortMapping { ContainerPort = 80 }));
        _harness.Engine.RunTask(second);

        var task = await Store.WaitForStatusAsync(second.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal(TaskStopCode.TaskFailedToStart, task.StopCode);
        Assert.Equal("ResourceInitializationError: no free host port in 40000-40000 for container web", task.StoppedReason);
        Assert.Single(Docker.Created);
    }

    [Fact]
    public async Task DynamicPorts_FreedWhenTheTaskStops_AndNeverHandedOutTwiceAcrossARestart()
    {
        await StartAsync(new DynamicPortRange(40000, 40001));
        var first = RunTask(Web("a", new PortMapping { ContainerPort = 80 }));
        _harness.Engine.RunTask(first);
        await Store.WaitForStatusAsync(first.TaskArn, LifecycleStatus.Running);

        await _harness.RestartAsync();
        var second = RunTask(Web("b", new PortMapping { ContainerPort = 80 }));
        _harness.Engine.RunTask(second);
        var b = await Store.WaitForStatusAsync(second.TaskArn, LifecycleStatus.Running);
        Assert.Equal(40001, b.Containers[0].HostPorts[0].HostPort);

        _harness.Engine.StopTask(first.TaskArn, "free the port");
        await Store.WaitForStatusAsync(first.TaskArn, LifecycleStatus.Stopped);
        var third = RunTask(Web("c", new PortMapping { ContainerPort = 80 }));
        _harness.Engine.RunTask(third);

        var c = await Store.WaitForStatusAsync(third.TaskArn, LifecycleStatus.Running);
        Assert.Equal(40000, c.Containers[0].HostPorts[0].HostPort);
    }

    [Fact]
    public async Task Volumes_TaskScopedCreatedAndRemovedWithTheTask_SharedKept()
    {
        await StartAsync();
        Docker.Volumes["cache"] = new VolumeSpec { Name = "cache" };
        var definition = Definition(Container("web") with
        {
            MountPoints = [new MountPoint { SourceVolume = "scratch", ContainerPath = "/s" }, new MountPoint { SourceVolume = "cache", ContainerPath = "/c" }],
        }) with
        {
            Volumes =
            [
                new Volume { Name = "scratch" },
                new Volume { Name = "cache", DockerVolumeConfiguration = new DockerVolumeConfiguration { Scope = VolumeScopes.Shared } },
            ],
        };
        var command = RunTask(definition);
        var scratch = $"ecs-web-3-scratch-{command.TaskArn[(command.TaskArn.LastIndexOf('/') + 1)..]}";

        _harness.Engine.RunTask(command);
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        Assert.Contains(scratch, Docker.Volumes.Keys);
        Assert.Equal([$"{scratch}:/s", "cache:/c"], Docker.Created.Single().Binds);

        _harness.Engine.StopTask(command.TaskArn, "done");
        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Store.Acknowledge(Store.LastSequence);
        _harness.FakeTime.Advance(TimeSpan.FromMinutes(2));

        await Store.WaitForAsync(() => Store.LoadTasks().Any(t => t.TaskArn == command.TaskArn) ? null : "", "the task to be cleaned up");
        Assert.Equal([scratch], Docker.RemovedVolumes);
        Assert.Contains("cache", Docker.Volumes.Keys);
    }

    [Fact]
    public async Task Volumes_SharedMissingWithoutAutoprovision_TaskStopped()
    {
        await StartAsync();
        var definition = Definition(Container("web") with { MountPoints = [new MountPoint { SourceVolume = "cache", ContainerPath = "/c" }] }) with
        {
            Volumes = [new Volume { Name = "cache", DockerVolumeConfiguration = new DockerVolumeConfiguration { Scope = VolumeScopes.Shared } }],
        };
        var command = RunTask(definition);

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal("ResourceInitializationError: the shared Docker volume cache does not exist and autoprovision is not set", task.StoppedReason);
        Assert.Empty(Docker.Created);
    }

    [Fact]
    public async Task Gpus_IdsFromRunTaskReachDocker()
    {
        await StartAsync();
        var command = RunTask(Definition(Container("web") with { ResourceRequirements = [new ResourceRequirement { Type = "GPU", Value = "2" }] }))
            with { Gpus = [new GpuAssignment("web", ["GPU-a", "GPU-b"])] };

        _harness.Engine.RunTask(command);

        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        Assert.Equal(["GPU-a", "GPU-b"], Docker.Created.Single().GpuIds);
    }

    [Fact]
    public async Task Gpus_NoneAssigned_TaskStoppedBeforeCreating()
    {
        await StartAsync();
        var command = RunTask(Definition(Container("web") with { ResourceRequirements = [new ResourceRequirement { Type = "GPU", Value = "1" }] }));

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.Equal("ResourceInitializationError: container web needs 1 GPU(s) but placement assigned 0.", task.StoppedReason);
        Assert.Empty(Docker.Created);
    }

    [Fact]
    public async Task WindowsHost_DefaultModeOnNatWithWindowsReservedPortsSkipped()
    {
        await StartAsync(new DynamicPortRange(3389, 3390), os: "windows");
        var command = RunTask(Web("win", new PortMapping { ContainerPort = 80 }));

        _harness.Engine.RunTask(command);

        await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        var spec = Docker.Created.Single();
        Assert.Equal("nat", spec.NetworkMode);
        Assert.Equal([new PortSpec(80, 3390, "tcp")], spec.Ports);
    }

    [Fact]
    public async Task WindowsHost_HostMode_Refused()
    {
        await StartAsync(os: "windows");
        var command = RunTask(Definition(Container("web")) with { NetworkMode = NetworkModes.Host });

        _harness.Engine.RunTask(command);

        var task = await Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        Assert.StartsWith("ResourceInitializationError: networkMode host is not supported on Windows", task.StoppedReason, StringComparison.Ordinal);
    }

    private sealed class BusyProbe(params int[] busy) : IPortProbe
    {
        public List<(int, string)> Asked { get; } = [];

        public bool IsFree(int port, string protocol)
        {
            lock (Asked)
            {
                Asked.Add((port, protocol));
            }

            return !busy.Contains(port);
        }
    }
}
