using System.Diagnostics;
using Orchestrator.Agent.Awsvpc;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Ecs.Model;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;

namespace Orchestrator.Agent.Tests.Docker;

/// <summary>
/// awsvpc tasks on the real Docker engine: the pause image built from the shipped pause program and loaded, a macvlan
/// network, the task's address in its containers' namespace. The macvlan's parent is one end of a veth pair made for
/// the test, whose other end leads nowhere: no packet leaves the machine. Uses TEST-NET-1 (192.0.2.0/24).
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class AwsvpcDockerTests(DockerFixture docker) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TestLabellingDriver _driver = docker.LabelledDriver();
    private readonly string _link = $"orchv{Environment.ProcessId % 100000:D5}";
    private readonly string _network = $"orch-awsvpc-test-{Environment.ProcessId}";
    private EngineHarness _harness = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await RunAsync("ip", "link", "del", _link); // a crashed run's, if any
        (await RunAsync("ip", "link", "add", _link, "type", "veth", "peer", "name", _link + "p")).EnsureSuccess();
        (await RunAsync("ip", "link", "set", _link, "up")).EnsureSuccess();
        (await RunAsync("ip", "link", "set", _link + "p", "up")).EnsureSuccess();
        var options = new AgentOptions
        {
            StopTimeout = TimeSpan.FromSeconds(5),
            AwsvpcInterface = _link,
            AwsvpcNetwork = _network,
            PauseProgram = Path.Combine(AppContext.BaseDirectory, "pause", "pause"),
        };
        _harness = new EngineHarness(_driver, options, time: TimeProvider.System);
        await _harness.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        await docker.RemoveContainersAsync(_driver.RunSelector);
        await _driver.RemoveNetworkAsync(_network, CancellationToken.None);
        await RunAsync("ip", "link", "del", _link);
    }

    private static RunTaskCommand NewTask(string address)
    {
        var command = RunTask(Definition(new ContainerDefinition
        {
            Name = "web",
            Image = DockerFixture.Image,
            Memory = 64,
            StopTimeout = 2,
            Command = ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 80 -h /www"],
            PortMappings = [new PortMapping { ContainerPort = 80 }],
        }) with { NetworkMode = NetworkModes.Awsvpc });
        return command with { Network = new TaskNetworkRecord(Guid.NewGuid().ToString(), "subnet-test", address, 24, "192.0.2.1") };
    }

    [Fact]
    public async Task RunTask_Awsvpc_TheTaskHasItsAddressOnlyThroughThePauseContainer_StopsItLast()
    {
        var command = NewTask("192.0.2.10");

        _harness.Engine.RunTask(command);

        var running = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running, Timeout);
        var pause = running.Container(Orchestrator.Agent.Awsvpc.AwsvpcTask.PauseContainer)!;
        var web = running.Container("web")!;
        Assert.Equal("192.0.2.10", pause.Ipv4Address);
        Assert.Equal("02:42:c0:00:02:0a", pause.MacAddress);
        var pauseInspection = (await docker.Client.Containers.InspectContainerAsync(pause.RuntimeId!, Token))!;
        Assert.StartsWith(PauseImage.Repository + ":", pauseInspection.Config!.Image, StringComparison.Ordinal);
        Assert.Equal(["/pause"], pauseInspection.Config!.Entrypoint);
        var webInspection = await docker.Client.Containers.InspectContainerAsync(web.RuntimeId!, Token);
        Assert.Equal($"container:{pause.RuntimeId}", webInspection.HostConfig!.NetworkMode);
        var addresses = (await RunAsync("docker", "exec", web.RuntimeId!, "ip", "-o", "-4", "addr")).EnsureSuccess().Stdout;
        Assert.Contains("inet 192.0.2.10/24", addresses, StringComparison.Ordinal);
        var reported = _harness.Store.Changes(command.TaskArn)[^1].Task;
        Assert.Equal("192.0.2.10", Assert.Single(reported.NetworkInterfaces).Ipv4Address);

        _harness.Engine.StopTask(command.TaskArn, "done");

        var stopped = await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped, Timeout);
        Assert.Equal(0, stopped.Container(Orchestrator.Agent.Awsvpc.AwsvpcTask.PauseContainer)!.ExitCode); // SIGTERM: it exits at once, cleanly
        var webFinished = (await docker.Client.Containers.InspectContainerAsync(web.RuntimeId!, Token)).State!.FinishedAt;
        var pauseFinished = (await docker.Client.Containers.InspectContainerAsync(pause.RuntimeId!, Token)).State!.FinishedAt;
        Assert.True(DateTimeOffset.Parse(pauseFinished, System.Globalization.CultureInfo.InvariantCulture)
            >= DateTimeOffset.Parse(webFinished, System.Globalization.CultureInfo.InvariantCulture), "the pause container stopped before the task's container");
    }

    [Fact]
    public async Task RunTask_AddressAlreadyInUse_TaskStopsWithResourceInitializationError_LeavingNothing()
    {
        var first = NewTask("192.0.2.20");
        _harness.Engine.RunTask(first);
        await _harness.Store.WaitForStatusAsync(first.TaskArn, LifecycleStatus.Running, Timeout);
        var second = NewTask("192.0.2.20");

        _harness.Engine.RunTask(second);

        var stopped = await _harness.Store.WaitForStatusAsync(second.TaskArn, LifecycleStatus.Stopped, Timeout);
        Assert.Equal(TaskStopCode.TaskFailedToStart, stopped.StopCode);
        Assert.StartsWith("ResourceInitializationError: failed to set up the task's network (192.0.2.20 of subnet-test): ", stopped.StoppedReason, StringComparison.Ordinal);
        Assert.Contains("in use", stopped.StoppedReason, StringComparison.Ordinal); // Docker's words
        Assert.Empty(await docker.ListContainersAsync($"{ContainerSpecBuilder.TaskArnLabel}={second.TaskArn}"));
        Assert.Equal(LifecycleStatus.Running, _harness.Store.LoadTasks().Single(t => t.TaskArn == first.TaskArn).KnownStatus);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}

internal static class CommandResultExtensions
{
    public static (int ExitCode, string Stdout, string Stderr) EnsureSuccess(this (int ExitCode, string Stdout, string Stderr) result) =>
        result.ExitCode == 0 ? result : throw new InvalidOperationException($"exit code {result.ExitCode}: {result.Stderr}");
}
