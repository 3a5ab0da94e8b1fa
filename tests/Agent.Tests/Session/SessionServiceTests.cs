using Orchestrator.Agent.Docker;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Engine;
using Orchestrator.Agent.Registration;
using Orchestrator.Agent.Security;
using Orchestrator.Agent.Session;
using Orchestrator.Agent.State;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Contracts.Agent;
using static Orchestrator.Agent.Tests.Support.TaskDefinitions;
using Kind = Orchestrator.Contracts.Agent.AgentMessage.KindOneofCase;

namespace Orchestrator.Agent.Tests.Session;

/// <summary>The session against a fake control plane on a loopback port, with the engine over a fake Docker.</summary>
public sealed class SessionServiceTests : IAsyncLifetime
{
    private readonly EngineHarness _harness;
    private FakeAgentEndpoint _plane = null!;
    private SessionService? _session;
    private ControlPlaneConnection? _connection;

    public SessionServiceTests()
    {
        var options = new AgentOptions
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        };
        _harness = new EngineHarness(options: options, time: TimeProvider.System);
        _harness.Fake.Images["local/busybox:1"] = "sha256:present";
    }

    public async ValueTask InitializeAsync()
    {
        _plane = await FakeAgentEndpoint.StartAsync();
        _harness.Options.Endpoint = _plane.Address;
        await _harness.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopSessionAsync();
        await _harness.DisposeAsync();
        await _plane.DisposeAsync();
    }

    [Fact]
    public async Task Start_SavedStateAndOutbox_RegistersThenHelloThenResendsInOrder()
    {
        _plane.AutoAcknowledge = false;
        var command = RunTask(Definition(Container("web")));
        _harness.Engine.RunTask(command);
        await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        _harness.Engine.StopTask(command.TaskArn, "bye");
        await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);

        await StartSessionAsync();

        var session = await _plane.NextSessionAsync();
        var registration = Assert.Single(_plane.Registrations);
        Assert.Equal(EngineHarness.ContainerInstanceArn, registration.ContainerInstanceArn);
        Assert.Matches("^mi-[0-9a-f]{17}$", registration.InstanceId);
        Assert.Equal(4096, registration.Resources.Cpu);
        var hello = (await session.NextAsync(Kind.Hello)).Hello;
        Assert.Equal(FakeAgentEndpoint.InstanceArn, hello.ContainerInstanceArn);
        Assert.Equal(2UL, hello.ThroughSequence);
        Assert.Equal(TimeSpan.FromMilliseconds(200), hello.HeartbeatInterval.ToTimeSpan());
        Assert.Equal(RuntimeHealth.Ok, hello.Runtime);
        var snapshot = Assert.Single(hello.Tasks);
        Assert.Equal(command.TaskArn, snapshot.TaskArn);
        Assert.Equal(Status.Stopped, snapshot.LastStatus);
        Assert.Equal("bye", snapshot.StoppedReason);
        Assert.Equal(1UL, (await session.NextAsync(Kind.StateChange)).StateChange.Sequence);
        Assert.Equal(2UL, (await session.NextAsync(Kind.StateChange)).StateChange.Sequence);
        Assert.Equal(RuntimeHealth.Ok, (await session.NextAsync(Kind.Heartbeat)).Heartbeat.Runtime);
        Assert.Equal(FakeAgentEndpoint.InstanceArn, _harness.Store.GetContainerInstanceArn());

        _harness.Fake.Unreachable = true;
        await Runtime!.CheckAsync(TestContext.Current.CancellationToken);
        Assert.Equal(RuntimeHealth.Impaired, (await session.NextAsync(Kind.Heartbeat)).Heartbeat.Runtime);
    }

    [Fact]
    public async Task Acknowledge_Through_RemovesOnlyCoveredOutboxEntries()
    {
        _plane.AutoAcknowledge = false;
        var command = RunTask(Definition(Container("web")));
        _harness.Engine.RunTask(command);
        await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Running);
        _harness.Engine.StopTask(command.TaskArn, "bye");
        await _harness.Store.WaitForStatusAsync(command.TaskArn, LifecycleStatus.Stopped);
        await StartSessionAsync();
        var session = await _plane.NextSessionAsync();
        await session.NextAsync(Kind.StateChange);

        session.Send(new ControlMessage { Ack = new Acknowledge { ThroughSequence = 1 } });

        var remaining = await _harness.Store.WaitForAsync(
            () => _harness.Store.ReadOutbox(0) is { Count: 1 } outbox ? outbox : null, "the ack to be applied");
        Assert.Equal(2UL, remaining[0].Sequence);
    }

    [Fact]
    public async Task RunTaskAndStopTask_FromControlPlane_EngineRunsAndReportsEachChange()
    {
        await StartSessionAsync();
        var session = await _plane.NextSessionAsync();
        await session.NextAsync(Kind.Hello);
        var command = WireRunTask(Definition(Container("web", containerPorts: 80)));

        session.Send(new ControlMessage { RunTask = command });
        session.Send(new ControlMessage { RunTask = command });

        var running = (await session.NextAsync(Kind.StateChange)).StateChange;
        Assert.Equal(1UL, running.Sequence);
        Assert.Equal(Status.Running, running.Task.LastStatus);
        Assert.Equal(32768, running.Task.Containers[0].NetworkBindings[0].HostPort);
        session.Send(new ControlMessage { StopTask = new StopTask { TaskArn = command.TaskArn, Reason = "Scaling down" } });
        var stopped = (await session.NextAsync(Kind.StateChange)).StateChange;
        Assert.Equal(2UL, stopped.Sequence);
        Assert.Equal(Status.Stopped, stopped.Task.LastStatus);
        Assert.Equal("UserInitiated", stopped.Task.StopCode);
        Assert.Equal("Scaling down", stopped.Task.StoppedReason);
        await _harness.Store.WaitForAsync(() => _harness.Store.ReadOutbox(0).Count == 0 ? "" : null, "the outbox to empty");
        Assert.Single(_harness.Fake.Created);
    }

    [Fact]
    public async Task StreamDropped_Reconnects_ResendsUnacknowledgedWithoutRegisteringAgain()
    {
        _plane.AutoAcknowledge = false;
        await StartSessionAsync();
        var first = await _plane.NextSessionAsync();
        await first.NextAsync(Kind.Hello);
        var command = WireRunTask(Definition(Container("web")));
        first.Send(new ControlMessage { RunTask = command });
        Assert.Equal(1UL, (await first.NextAsync(Kind.StateChange)).StateChange.Sequence);

        first.Drop();

        var second = await _plane.NextSessionAsync();
        var hello = (await second.NextAsync(Kind.Hello)).Hello;
        Assert.Equal(1UL, hello.ThroughSequence);
        Assert.Equal(Status.Running, Assert.Single(hello.Tasks).LastStatus);
        var resent = (await second.NextAsync(Kind.StateChange)).StateChange;
        Assert.Equal(1UL, resent.Sequence);
        Assert.Equal(command.TaskArn, resent.Task.TaskArn);
        Assert.Single(_plane.Registrations);
        Assert.Single(_harness.Fake.Created);
    }

    [Fact]
    public async Task SessionNotFound_RegistersAgainWithSavedArn_ThenReconnects()
    {
        _plane.SessionNotFound = 1;

        await StartSessionAsync();

        await _plane.NextSessionAsync();
        var second = await _plane.NextSessionAsync();
        await second.NextAsync(Kind.Hello);
        Assert.Equal(2, _plane.Registrations.Count);
        Assert.Equal(FakeAgentEndpoint.InstanceArn, _plane.Registrations.Last().ContainerInstanceArn);
    }

    [Fact]
    public async Task Register_ControlPlaneUnavailable_RetriesWithBackoffUntilItAnswers()
    {
        _plane.RegisterFailures = 3;

        await StartSessionAsync();

        var session = await _plane.NextSessionAsync();
        await session.NextAsync(Kind.Hello);
        Assert.Equal(4, _plane.Registrations.Count);
        Assert.All(_plane.Registrations, r => Assert.Equal(_plane.Registrations.First().InstanceId, r.InstanceId));
    }

    [Fact]
    public async Task Restart_SecondStart_SendsSavedArnAndGetsSameInstance()
    {
        await StartSessionAsync();
        await (await _plane.NextSessionAsync()).NextAsync(Kind.Hello);
        await StopSessionAsync();

        await StartSessionAsync();
        await (await _plane.NextSessionAsync()).NextAsync(Kind.Hello);

        Assert.Equal(["arn:aws:ecs:us-east-1:000000000000:container-instance/default/0123456789abcdef0123456789abcdef", FakeAgentEndpoint.InstanceArn],
            _plane.Registrations.Select(r => r.ContainerInstanceArn));
        Assert.Equal(FakeAgentEndpoint.InstanceArn, _harness.Store.GetContainerInstanceArn());
    }

    private RuntimeHealthMonitor? Runtime { get; set; }

    /// <summary>The GPUs the host has (none unless a test says otherwise).</summary>
    private FakeGpuProbe Gpus { get; set; } = new();

    [Fact]
    public async Task Register_HostHasGpus_RegistrationCarriesThem()
    {
        Gpus = new FakeGpuProbe("GPU-5a3c1c9a-8d7e-4f1e-b5b5-2c5b7e2c1234", "GPU-0f9e8d7c-6b5a-4938-2716-05f4e3d2c1b0");

        await StartSessionAsync();
        await (await _plane.NextSessionAsync()).NextAsync(Kind.Hello);

        Assert.Equal(["GPU-5a3c1c9a-8d7e-4f1e-b5b5-2c5b7e2c1234", "GPU-0f9e8d7c-6b5a-4938-2716-05f4e3d2c1b0"], Assert.Single(_plane.Registrations).Resources.GpuIds);
    }

    [Fact]
    public async Task Register_HostHasNoGpus_NoneRegistered()
    {
        await StartSessionAsync();
        await (await _plane.NextSessionAsync()).NextAsync(Kind.Hello);

        Assert.Empty(Assert.Single(_plane.Registrations).Resources.GpuIds);
    }

    private async Task StartSessionAsync()
    {
        var options = Microsoft.Extensions.Options.Options.Create(_harness.Options);
        var credentials = new AgentCredentials(new PkiFiles(_harness.DataDir), TimeProvider.System);
        _connection = new ControlPlaneConnection(options, credentials, NullLogger<ControlPlaneConnection>.Instance);
        var trust = new ClusterTrust(credentials, options, TimeProvider.System, NullLogger<ClusterTrust>.Instance);
        var registrar = new Registrar(
            _connection, trust, credentials, _harness.Driver, _harness.Store, options, Orchestrator.Agent.Ports.DynamicPortRange.Fallback, Gpus, TimeProvider.System, NullLogger<Registrar>.Instance);
        Runtime = new RuntimeHealthMonitor(_harness.Driver, options, TimeProvider.System, NullLogger<RuntimeHealthMonitor>.Instance);
        await Runtime.CheckAsync(TestContext.Current.CancellationToken);
        var sampler = new Orchestrator.Agent.Stats.StatsSampler(_harness.Store, options, TimeProvider.System, NullLogger<Orchestrator.Agent.Stats.StatsSampler>.Instance);
        _session = new SessionService(
            _connection, registrar, _harness.Engine, _harness.Store, Runtime, options, TimeProvider.System, new AgentExit(null),
            new AttachService(_connection, _harness.Store, new DockerStreams(new Uri(_harness.Options.DockerHost)), sampler, options, NullLogger<AttachService>.Instance),
            sampler,
            NullLogger<SessionService>.Instance);
        await _session.StartAsync(TestContext.Current.CancellationToken);
    }

    private async Task StopSessionAsync()
    {
        if (_session is not null)
        {
            await _session.StopAsync(CancellationToken.None);
            _session.Dispose();
            _session = null;
        }

        _connection?.Dispose();
        _connection = null;
    }
}
