using System.Diagnostics;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Engine;

namespace Orchestrator.Agent.Tests.Docker;

/// <summary>The real Docker driver against the local engine.</summary>
[Collection(DockerCollection.Name)]
public sealed class DockerDriverTests(DockerFixture docker) : IAsyncLifetime
{
    private const string TaskArn = "arn:aws:ecs:us-east-1:000000000000:task/test/driver";

    private readonly TestLabellingDriver _driver = docker.LabelledDriver();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await docker.RemoveContainersAsync(_driver.RunSelector);

    private static ContainerSpec Spec(string name, IReadOnlyList<string> command, params PortSpec[] ports) => new()
    {
        Name = $"orch-test-{name}-{Guid.NewGuid():N}",
        Image = DockerFixture.Image,
        Command = command,
        NetworkMode = "bridge",
        PublishPorts = true,
        CpuShares = 2,
        MemoryBytes = 64L * 1024 * 1024,
        Ports = ports,
        Environment = ["GREETING=hello"],
        Labels = new Dictionary<string, string>
        {
            [ContainerSpecBuilder.TaskArnLabel] = TaskArn,
            [ContainerSpecBuilder.ContainerNameLabel] = name,
            [ContainerSpecBuilder.FamilyLabel] = "test",
            [ContainerSpecBuilder.RevisionLabel] = "1",
            [ContainerSpecBuilder.ClusterLabel] = "test",
            [ContainerSpecBuilder.ContainerInstanceLabel] = "arn:aws:ecs:us-east-1:000000000000:container-instance/test/x",
        },
    };

    [Fact]
    public async Task BridgeGateway_IsTheGatewayABridgeContainerIsGiven()
    {
        var id = await _driver.CreateContainerAsync(Spec("gateway", ["sleep", "1000"]), Token);
        await _driver.StartContainerAsync(id, Token);
        var given = (await docker.Client.Containers.InspectContainerAsync(id, Token)).NetworkSettings!.Networks["bridge"].Gateway;

        var found = Orchestrator.Agent.Metadata.BridgeGateway.Find((await _driver.InspectNetworkAsync("bridge", Token))!);

        Assert.Equal(given, found?.ToString());
    }

    [Fact]
    public async Task CreateStartInspectStop_EcsLabels_PresentAndExitCodeRead()
    {
        var spec = Spec("lifecycle", ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]);

        var id = await _driver.CreateContainerAsync(spec, Token);
        var created = await _driver.InspectContainerAsync(id, Token);
        await _driver.StartContainerAsync(id, Token);
        var running = await _driver.InspectContainerAsync(spec.Name, Token);
        await _driver.StopContainerAsync(id, TimeSpan.FromSeconds(10), Token);
        var stopped = await _driver.InspectContainerAsync(id, Token);

        Assert.Equal(ContainerRunState.Created, created!.State);
        Assert.Equal(ContainerRunState.Running, running!.State);
        Assert.Equal(id, running.Id);
        Assert.NotNull(running.StartedAt);
        foreach (var (key, value) in spec.Labels)
        {
            Assert.Equal(value, running.Labels[key]);
        }

        Assert.Equal("true", running.Labels[DockerFixture.TestLabel]);
        Assert.Equal(ContainerRunState.Exited, stopped!.State);
        Assert.Equal(0, stopped.ExitCode);
    }

    [Fact]
    public async Task Start_BridgeDynamicHostPort_RealPortAnswersHttp()
    {
        var spec = Spec("httpd", ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 80 -h /www"], new PortSpec(80, null, "tcp"));
        var id = await _driver.CreateContainerAsync(spec, Token);

        await _driver.StartContainerAsync(id, Token);

        var inspection = await _driver.InspectContainerAsync(id, Token);
        var binding = Assert.Single(inspection!.Bindings, b => b.BindIp == "0.0.0.0");
        Assert.Equal(80, binding.ContainerPort);
        Assert.Equal("tcp", binding.Protocol);
        Assert.InRange(binding.HostPort, 1024, 65535);
        Assert.Equal("hello\n", await Http.GetWithRetryAsync($"http://127.0.0.1:{binding.HostPort}/"));
    }

    [Fact]
    public async Task Stop_ContainerIgnoresSigterm_KilledAfterTimeoutWith137()
    {
        var id = await _driver.CreateContainerAsync(Spec("stubborn", ["sh", "-c", "trap '' TERM; sleep 1000"]), Token);
        await _driver.StartContainerAsync(id, Token);
        var timeout = TimeSpan.FromSeconds(2);

        var clock = Stopwatch.StartNew();
        await _driver.StopContainerAsync(id, timeout, Token);
        clock.Stop();

        var stopped = await _driver.InspectContainerAsync(id, Token);
        Assert.Equal(ContainerRunState.Exited, stopped!.State);
        Assert.Equal(137, stopped.ExitCode);
        Assert.InRange(clock.Elapsed, timeout - TimeSpan.FromMilliseconds(300), timeout + TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task PullImage_UnreachableRegistry_FailsFastWithDockersMessage()
    {
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<DockerOperationException>(() => _driver.PullImageAsync("127.0.0.1:5999/missing/image:1", null, Token));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        Assert.Contains("127.0.0.1:5999", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("status code", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Remove_WhatDockerNoLongerHas_IsAlreadyRemoved_ButADockerRefusalStillFails()
    {
        var missing = $"orch-test-gone-{Guid.NewGuid():N}";
        await _driver.RemoveContainerAsync(missing, Token);
        await _driver.RemoveVolumeAsync(missing, Token);
        await _driver.RemoveNetworkAsync(missing, Token);

        // A predefined network cannot be removed: Docker's refusal is not "already removed".
        var error = await Assert.ThrowsAsync<DockerOperationException>(() => _driver.RemoveNetworkAsync("none", Token));
        Assert.Contains("none", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InspectImage_PresentAndMissing_IdOrNull()
    {
        Assert.StartsWith("sha256:", await _driver.InspectImageAsync(DockerFixture.Image, Token), StringComparison.Ordinal);
        Assert.Null(await _driver.InspectImageAsync("127.0.0.1:5999/missing/image:1", Token));
        Assert.Null(await _driver.InspectContainerAsync("orch-test-no-such-container", Token));
    }

    [Fact]
    public async Task WatchContainerEvents_LabelledContainerExits_DieDelivered()
    {
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(Token);
        watching.CancelAfter(TimeSpan.FromSeconds(30));
        var id = await _driver.CreateContainerAsync(Spec("short", ["sh", "-c", "sleep 1; exit 3"]), Token);
        await _driver.StartContainerAsync(id, Token);

        ContainerEvent? die = null;
        await foreach (var item in _driver.WatchContainerEventsAsync(watching.Token))
        {
            if (item.ContainerId == id && item.Action == "die")
            {
                die = item;
                break;
            }
        }

        Assert.NotNull(die);
        Assert.Equal(3, (await _driver.InspectContainerAsync(id, Token))!.ExitCode);
    }

    [Fact]
    public async Task GetHostInfo_LocalEngine_CpusMemoryAndApiVersion()
    {
        var info = await _driver.GetHostInfoAsync(Token);

        Assert.InRange(info.Cpus, 1, 4096);
        Assert.True(info.MemoryBytes > 0);
        Assert.Equal("linux", info.OsType);
        Assert.Matches(@"^1\.\d+$", info.ApiVersion);
        Assert.False(string.IsNullOrEmpty(info.ServerVersion));
    }
}
