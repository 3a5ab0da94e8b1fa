using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Ports;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Docker;

/// <summary>The container-definition surface on the real Docker engine: what a user would see the task do.</summary>
[Collection(DockerCollection.Name)]
public sealed class ContainerSurfaceDockerTests(DockerFixture docker) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TestLabellingDriver _driver = docker.LabelledDriver();
    private EngineHarness _harness = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _harness = NewHarness();
        await _harness.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        await docker.RemoveContainersAsync(_driver.RunSelector);
    }

    private EngineHarness NewHarness(DynamicPortRange? range = null) => new(
        _driver,
        new AgentOptions { StopTimeout = TimeSpan.FromSeconds(2), TaskCleanupWait = TimeSpan.FromSeconds(1) },
        time: TimeProvider.System,
        portRange: range,
        portProbe: new SocketPortProbe());

    private static ContainerDefinition Shell(string name, string script, bool? essential = null) => new()
    {
        Name = name,
        Image = DockerFixture.Image,
        Memory = 32,
        Essential = essential,
        StopTimeout = 1,
        Command = ["sh", "-c", script],
    };

    private static ContainerDefinition Needs(ContainerDefinition container, string target, string condition) =>
        container with { DependsOn = [.. container.DependsOn ?? [], new ContainerDependency { ContainerName = target, Condition = condition }] };

    // A check's exec can take seconds on a loaded engine; a 1 s timeout would count that as a failure.
    private static HealthCheck FileCheck(string path) => new() { Command = ["CMD-SHELL", $"test -f {path}"], Interval = 1, Timeout = 10, Retries = 1 };

    private async Task<global::Docker.DotNet.Models.ContainerInspectResponse> InspectAsync(string id) =>
        await docker.Client.Containers.InspectContainerAsync(id, Token);

    private async Task RunInContainerAsync(string id, params string[] command)
    {
        var exec = await docker.Client.Exec.CreateContainerExecAsync(id, new global::Docker.DotNet.Models.ContainerExecCreateParameters { Cmd = command }, Token);
        using (var stream = await docker.Client.Exec.StartContainerExecAsync(exec.ID, new global::Docker.DotNet.Models.ContainerExecStartParameters { Detach = false }, Token))
        {
            await stream.ReadOutputToEndAsync(Token); // returns when the command has ended
        }

        // The output ends a moment before Docker records the exit code; on a loaded engine the moment can be long.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var inspected = await docker.Client.Exec.InspectContainerExecAsync(exec.ID, Token);
        while (inspected.Running && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Token);
            inspected = await docker.Client.Exec.InspectContainerExecAsync(exec.ID, Token);
        }

        Assert.False(inspected.Running, $"{string.Join(' ', command)} still running 30 s after its output ended");
        Assert.Equal(0, inspected.ExitCode);
    }

    private static DateTimeOffset Time(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture);

    [Fact]
    public async Task VolumesFrom_ReaderSeesWhatTheWriterLeftInItsTaskVolume_VolumeRemovedWithTheTask()
    {
        var writer = Shell("writer", "echo hello > /data/message", essential: false) with
        {
            MountPoints = [new MountPoint { SourceVolume = "shared", ContainerPath = "/data" }],
        };
        // Exits 0 only if it reads the writer's file and cannot write (volumesFrom read-only).
        var reader = Needs(Shell("reader", """test "$(cat /data/message)" = hello && ! touch /data/other 2>/dev/null"""), "writer", ContainerConditions.Success) with
        {
            VolumesFrom = [new VolumeFrom { SourceContainer = "writer", ReadOnly = true }],
        };
        var command = RunTask(Definition(writer, reader) with { Volumes = [new Volume { Name = "shared" }] });
        var volume = $"ecs-web-3-shared-{command.TaskArn[(command.TaskArn.LastIndexOf('/') + 1)..]}";

        _harness.Engine.RunTask(command);

        var stopped = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped, Timeout);
        Assert.Equal(0, stopped.Container("writer")!.ExitCode);
        Assert.Equal(0, stopped.Container("reader")!.ExitCode);
        Assert.Equal(TaskStopCode.EssentialContainerExited, stopped.StopCode);
        Assert.True(await _driver.VolumeExistsAsync(volume, Token));

        _harness.Store.Acknowledge(_harness.Store.LastSequence);
        await _harness.Store.WaitForAsync(() => _harness.Store.LoadTasks().Any(t => t.TaskArn == command.TaskArn) ? null : "", "cleanup", Timeout);
        Assert.False(await _driver.VolumeExistsAsync(volume, Token));
    }

    [Fact]
    public async Task DependsOn_StartSuccessHealthy_AppStartsOnlyAfterAllThreeHold()
    {
        var init = Shell("init", "sleep 1", essential: false);
        var side = Shell("side", "exec sleep 1000", essential: false);
        var db = Shell("db", "sleep 2; touch /tmp/ready; exec sleep 1000") with { HealthCheck = FileCheck("/tmp/ready") };
        var app = Needs(Needs(Needs(Shell("app", "exec sleep 1000"), "init", ContainerConditions.Success), "db", ContainerConditions.Healthy), "side", ContainerConditions.Start);
        var command = RunTask(Definition(app, init, db, side));

        _harness.Engine.RunTask(command);

        var running = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running, Timeout);
        var appStarted = Time((await InspectAsync(running.Container("app")!.RuntimeId!)).State!.StartedAt);
        var initFinished = Time((await InspectAsync(running.Container("init")!.RuntimeId!)).State!.FinishedAt);
        var sideStarted = Time((await InspectAsync(running.Container("side")!.RuntimeId!)).State!.StartedAt);
        var dbState = (await InspectAsync(running.Container("db")!.RuntimeId!)).State!;
        Assert.True(appStarted > initFinished, $"app started {appStarted:O}, init finished {initFinished:O}");
        Assert.True(appStarted > sideStarted, $"app started {appStarted:O}, side started {sideStarted:O}");

        // db cannot pass a check before its 2 s sleep is over. Docker keeps only the last 5 checks (one a second here),
        // so on a loaded engine the first pass may be gone from the log by now; when it is still there, app came after it.
        Assert.True(appStarted > Time(dbState.StartedAt).AddSeconds(2), $"app started {appStarted:O}, db started {dbState.StartedAt}");
        if (dbState.Health!.Log!.Count < 5)
        {
            var firstPass = dbState.Health.Log.Where(l => l.ExitCode == 0).Min(l => l.End);
            Assert.True(appStarted > firstPass, $"app started {appStarted:O}, db first healthy {firstPass:O}");
        }

        Assert.Equal(HealthStatuses.Healthy, running.Container("db")!.Health);
        Assert.Equal(0, running.Container("init")!.ExitCode);

        _harness.Engine.StopTask(command.TaskArn, "");
        var stopped = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped, Timeout);
        var appFinished = Time((await InspectAsync(stopped.Container("app")!.RuntimeId!)).State!.FinishedAt);
        var dbFinished = Time((await InspectAsync(stopped.Container("db")!.RuntimeId!)).State!.FinishedAt);
        Assert.True(dbFinished >= appFinished, $"db stopped {dbFinished:O} before app {appFinished:O}");
    }

    [Fact]
    public async Task DependsOnSuccess_SidecarFails_TaskStoppedAndAppNeverCreated()
    {
        var command = RunTask(Definition(Shell("migrate", "exit 4", essential: false), Needs(Shell("app", "exec sleep 1000"), "migrate", ContainerConditions.Success)));

        _harness.Engine.RunTask(command);

        var stopped = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped, Timeout);
        Assert.Equal("CannotStartContainerError: container 'app' depends on 'migrate' (SUCCESS), which exited with code 4", stopped.StoppedReason);
        Assert.Null(stopped.Container("app")!.RuntimeId);
        Assert.Single(await docker.ListContainersAsync($"{ContainerSpecBuilder.TaskArnLabel}={command.TaskArn}"));
    }

    [Fact]
    public async Task HealthCheck_GoesHealthyThenUnhealthy_ReportedForContainerAndTask()
    {
        // Healthy until the test removes the file: a fixed healthy window in the script could pass unseen on a loaded engine.
        var web = Shell("web", "touch /tmp/ok; exec sleep 1000") with { HealthCheck = FileCheck("/tmp/ok") };
        var command = RunTask(Definition(web));

        _harness.Engine.RunTask(command);

        var healthyTask = await _harness.Store.WaitForTaskAsync(command.TaskArn, t => t.Containers[0].Health == HealthStatuses.Healthy, "HEALTHY", Timeout);
        await RunInContainerAsync(healthyTask.Containers[0].RuntimeId!, "rm", "/tmp/ok");
        await _harness.Store.WaitForTaskAsync(command.TaskArn, t => t.Containers[0].Health == HealthStatuses.Unhealthy, "UNHEALTHY", Timeout);
        var reported = _harness.Store.Changes(command.TaskArn).Select(c => c.Task.HealthStatus).ToList();
        var healthy = reported.IndexOf(HealthStatuses.Healthy);
        Assert.True(healthy >= 0 && reported.LastIndexOf(HealthStatuses.Unhealthy) > healthy, string.Join(", ", reported));
        Assert.Equal(ReportedStatus.Running, _harness.Store.Changes(command.TaskArn)[^1].Task.LastStatus);
        var check = (await InspectAsync(_harness.Store.LoadTasks().Single(t => t.TaskArn == command.TaskArn).Containers[0].RuntimeId!)).Config!.Healthcheck!;
        Assert.Equal(TimeSpan.FromSeconds(1), check.Interval);
    }

    [Fact]
    public async Task HostMode_AnswersOnLoopbackAtTheContainerPort()
    {
        var port = FreeTcpPort();
        var httpd = Shell("httpd", $"mkdir -p /www && echo host > /www/index.html && exec httpd -f -p {port} -h /www") with
        {
            PortMappings = [new PortMapping { ContainerPort = port }],
        };
        var command = RunTask(Definition(httpd) with { NetworkMode = NetworkModes.Host });

        _harness.Engine.RunTask(command);

        var running = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running, Timeout);
        Assert.Equal("host\n", await Http.GetWithRetryAsync($"http://127.0.0.1:{port}/"));
        Assert.Equal([new BindingRecord("0.0.0.0", port, port, "tcp")], running.Containers[0].NetworkBindings);
        Assert.Equal("host", (await InspectAsync(running.Containers[0].RuntimeId!)).HostConfig!.NetworkMode);
    }

    [Theory]
    [InlineData(NetworkModes.None, 0)]
    [InlineData(NetworkModes.Bridge, 1)]
    public async Task NoneMode_OnlyLoopback(string mode, int exitCode)
    {
        // Exits 0 when /proc/net/dev lists exactly one interface, lo.
        var probe = Shell("probe", """test "$(grep -c ':' /proc/net/dev)" -eq 1 && grep -q 'lo:' /proc/net/dev""");
        var command = RunTask(Definition(probe) with { NetworkMode = mode });

        _harness.Engine.RunTask(command);

        var stopped = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped, Timeout);
        Assert.Equal(exitCode, stopped.Containers[0].ExitCode);
    }

    [Fact]
    public async Task DynamicPort_PickedByTheAgentAnswersHttpAndIsFreeForReuseAfterStop()
    {
        var first = FreeTcpPortPair();
        using var occupied = new TcpListener(IPAddress.Any, first); // the test bind must skip it
        occupied.Start();
        await using var harness = NewHarness(new DynamicPortRange(first, first + 1));
        await harness.StartAsync();
        var definition = Definition(Shell("httpd", "mkdir -p /www && echo dynamic > /www/index.html && exec httpd -f -p 80 -h /www") with
        {
            PortMappings = [new PortMapping { ContainerPort = 80 }],
        });

        var one = RunTask(definition);
        harness.Engine.RunTask(one);
        var running = await harness.Store.WaitForStatusAsync(one.TaskArn, LifecycleStatus.Running, Timeout);
        var binding = running.Containers[0].NetworkBindings.First(b => b.BindIp == "0.0.0.0");
        Assert.Equal(first + 1, binding.HostPort);
        Assert.Equal("dynamic\n", await Http.GetWithRetryAsync($"http://127.0.0.1:{binding.HostPort}/"));

        var two = RunTask(definition);
        harness.Engine.RunTask(two);
        var refused = await harness.Store.WaitForStatusAsync(two.TaskArn, LifecycleStatus.Stopped, Timeout);
        Assert.Equal($"ResourceInitializationError: no free host port in {first}-{first + 1} for container httpd", refused.StoppedReason);

        harness.Engine.StopTask(one.TaskArn, "");
        await harness.Store.WaitForStatusAsync(one.TaskArn, LifecycleStatus.Stopped, Timeout);
        Assert.True(new SocketPortProbe().IsFree(first + 1, "tcp"));

        var three = RunTask(definition);
        harness.Engine.RunTask(three);
        var again = await harness.Store.WaitForStatusAsync(three.TaskArn, LifecycleStatus.Running, Timeout);
        Assert.Equal(first + 1, again.Containers[0].HostPorts[0].HostPort);
        Assert.Equal("dynamic\n", await Http.GetWithRetryAsync($"http://127.0.0.1:{first + 1}/"));
        harness.Engine.StopTask(three.TaskArn, "");
        await harness.Store.WaitForStatusAsync(three.TaskArn, LifecycleStatus.Stopped, Timeout);
    }

    [Fact]
    public async Task DockerSettings_ReachTheContainerAsDockerSeesThem()
    {
        var web = Shell("web", "exec sleep 1000") with
        {
            User = "1000",
            WorkingDirectory = "/bin",
            Hostname = "shop-web",
            ReadonlyRootFilesystem = true,
            ExtraHosts = [new HostEntry { Hostname = "api.internal", IpAddress = "10.9.8.7" }],
            DnsServers = ["10.0.0.2"],
            DockerLabels = new Dictionary<string, string> { ["app"] = "shop" },
            Ulimits = [new Ulimit { Name = "nofile", SoftLimit = 1024, HardLimit = 2048 }],
            LogConfiguration = new LogConfiguration { LogDriver = "json-file", Options = new Dictionary<string, string> { ["max-size"] = "1m" } },
            LinuxParameters = new LinuxParameters
            {
                Capabilities = new KernelCapabilities { Add = ["NET_ADMIN"], Drop = ["MKNOD"] },
                InitProcessEnabled = true,
                SharedMemorySize = 16,
                Tmpfs = [new Tmpfs { ContainerPath = "/scratch", Size = 8, MountOptions = ["noexec"] }],
            },
        };
        var command = RunTask(Definition(web));

        _harness.Engine.RunTask(command);

        var running = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running, Timeout);
        var inspected = await InspectAsync(running.Containers[0].RuntimeId!);
        Assert.Equal("1000", inspected.Config!.User);
        Assert.Equal("/bin", inspected.Config!.WorkingDir);
        Assert.Equal("shop-web", inspected.Config!.Hostname);
        Assert.Equal("shop", inspected.Config!.Labels!["app"]);
        Assert.Equal(command.TaskArn, inspected.Config!.Labels![ContainerSpecBuilder.TaskArnLabel]);
        Assert.True(inspected.HostConfig!.ReadonlyRootfs);
        Assert.Equal(["api.internal:10.9.8.7"], inspected.HostConfig!.ExtraHosts);
        Assert.Equal(["10.0.0.2"], inspected.HostConfig!.DNS);
        var ulimit = Assert.Single(inspected.HostConfig!.Ulimits);
        Assert.Equal(("nofile", 1024L, 2048L), (ulimit.Name, ulimit.Soft, ulimit.Hard));
        Assert.Equal("json-file", inspected.HostConfig!.LogConfig!.Type);
        Assert.Equal("1m", inspected.HostConfig!.LogConfig!.Config!["max-size"]);
        Assert.Contains("NET_ADMIN", inspected.HostConfig!.CapAdd);
        Assert.Contains("MKNOD", inspected.HostConfig!.CapDrop);
        Assert.True(inspected.HostConfig!.Init);
        Assert.Equal(16L * 1024 * 1024, inspected.HostConfig!.ShmSize);
        Assert.Equal("noexec,size=8m", inspected.HostConfig!.Tmpfs!["/scratch"]);
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Two consecutive ports that are both free now, above the kernel's ephemeral range (32768-60999 here), where
    /// neither outgoing connections of tests running beside this one nor agents' default dynamic ports can take them.
    /// </summary>
    private static int FreeTcpPortPair()
    {
        var probe = new SocketPortProbe();
        for (var port = 61200 + Random.Shared.Next(0, 1000) * 2; port < 65000; port += 2)
        {
            if (probe.IsFree(port, "tcp") && probe.IsFree(port + 1, "tcp"))
            {
                return port;
            }
        }

        throw new InvalidOperationException("No two consecutive free TCP ports were found.");
    }
}
