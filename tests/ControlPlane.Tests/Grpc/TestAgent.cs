using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Orchestrator.Contracts.Agent;
using Status = Orchestrator.Contracts.Agent.Status;

namespace Orchestrator.ControlPlane.Tests.Grpc;

/// <summary>
/// An agent as the control plane sees one, over the real agent protocol: a session opened with a hello, heartbeats
/// every interval (unless told to fall silent), sequenced state changes, and every control message it receives kept to
/// be awaited.
/// </summary>
internal sealed class TestAgent : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly AsyncDuplexStreamingCall<AgentMessage, ControlMessage> _call;
    private readonly Channel<ControlMessage> _received = Channel.CreateUnbounded<ControlMessage>();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _heartbeatInterval;
    private Task _reader = Task.CompletedTask;
    private Task _heartbeats = Task.CompletedTask;

    private TestAgent(AsyncDuplexStreamingCall<AgentMessage, ControlMessage> call, string arn, TimeSpan heartbeatInterval, ulong sequence)
    {
        _call = call;
        Arn = arn;
        _heartbeatInterval = heartbeatInterval;
        Sequence = sequence;
    }

    public string Arn { get; }

    /// <summary>The last sequence number this agent used (its persisted counter).</summary>
    public ulong Sequence { get; private set; }

    /// <summary>Whether it sends heartbeats; false makes its session go stale while the stream stays open.</summary>
    public bool Heartbeating { get; set; } = true;

    /// <summary>The status the stream ended with, once it has ended.</summary>
    public Task<RpcException?> Ended { get; private set; } = Task.FromResult<RpcException?>(null);

    /// <summary>Registers a host as an agent does (4 cores, 8 GiB, ECS's reserved ports) and returns its ARN.</summary>
    public static async Task<string> RegisterAsync(AgentService.AgentServiceClient client, string hostname) =>
        (await client.RegisterAsync(Registration(hostname), cancellationToken: TestContext.Current.CancellationToken)).ContainerInstanceArn;

    /// <summary>The registration <see cref="RegisterAsync"/> sends; with <paramref name="arn"/>, a re-registration.</summary>
    public static RegisterRequest Registration(string hostname, string arn = "") => new()
    {
        Cluster = "default",
        ContainerInstanceArn = arn,
        Resources = new HostResources { Cpu = 4096, MemoryMib = 8192, ReservedTcpPorts = { 22, 2375, 2376, 51678, 51679 } },
        Hostname = hostname,
        InstanceId = "mi-0123456789abcdef0",
        Attributes = { new Contracts.Agent.Attribute { Name = "ecs.os-type", Value = "linux" } },
    };

    /// <summary>Opens a session with this hello; returns once the control plane has acknowledged it.</summary>
    public static async Task<TestAgent> ConnectAsync(
        AgentService.AgentServiceClient client, string arn, ulong throughSequence = 0, TimeSpan? heartbeatInterval = null, params TaskState[] tasks)
    {
        var interval = heartbeatInterval ?? TimeSpan.FromSeconds(1);
        var call = client.Session(cancellationToken: TestContext.Current.CancellationToken);
        var agent = new TestAgent(call, arn, interval, throughSequence);
        var hello = new SessionHello { ContainerInstanceArn = arn, ThroughSequence = throughSequence, HeartbeatInterval = Duration.FromTimeSpan(interval) };
        hello.Tasks.Add(tasks);
        await call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }, TestContext.Current.CancellationToken);
        agent._reader = agent.ReadAsync();
        agent.Ended = agent.EndedAsync();
        agent._heartbeats = agent.HeartbeatAsync();
        var ack = await agent.NextAsync(m => m.Ack is not null);
        Assert.Equal(throughSequence, ack.Ack.ThroughSequence);
        return agent;
    }

    /// <summary>Sends a hello for <paramref name="arn"/> and returns how the control plane refused it.</summary>
    public static async Task<RpcException> RefusedHelloAsync(AgentService.AgentServiceClient client, SessionHello hello)
    {
        using var call = client.Session(cancellationToken: TestContext.Current.CancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }, TestContext.Current.CancellationToken);
        }
        catch (RpcException e)
        {
            return e; // refused before the write completed
        }

        return await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken))
            {
            }
        });
    }

    /// <summary>A well-formed hello for <paramref name="arn"/>, as an agent with a 1 s heartbeat sends it.</summary>
    public static SessionHello Hello(string arn, ulong throughSequence = 0) =>
        new() { ContainerInstanceArn = arn, ThroughSequence = throughSequence, HeartbeatInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) };

    /// <summary>The next received message that <paramref name="match"/> accepts (earlier ones are dropped).</summary>
    public async Task<ControlMessage> NextAsync(Func<ControlMessage, bool> match)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Wait);
        while (true)
        {
            var message = await _received.Reader.ReadAsync(timeout.Token);
            if (match(message))
            {
                return message;
            }
        }
    }

    /// <summary>Reports a task's state under the next sequence number and waits for its acknowledgement.</summary>
    public async Task ReportAsync(string taskArn, Status status)
    {
        var sequence = ++Sequence;
        await SendAsync(new AgentMessage { StateChange = new TaskStateChange { Sequence = sequence, Task = new TaskState { TaskArn = taskArn, LastStatus = status } } });
        await NextAsync(m => m.Ack is not null && m.Ack.ThroughSequence == sequence);
    }

    /// <summary>Sends a message the control plane is expected to end the session over; returns the status it ended with.</summary>
    public async Task<RpcException?> SendRefusedAsync(AgentMessage message)
    {
        try
        {
            await SendAsync(message);
        }
        catch (RpcException)
        {
            // The session ended before the write completed; its status is the reader's.
        }

        return await Ended;
    }

    public async Task SendAsync(AgentMessage message)
    {
        await _writing.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            await _call.RequestStream.WriteAsync(message, TestContext.Current.CancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _call.Dispose();
        await Task.WhenAll(_reader, _heartbeats).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
        _writing.Dispose();
    }

    private async Task ReadAsync()
    {
        while (await _call.ResponseStream.MoveNext(_stop.Token))
        {
            await _received.Writer.WriteAsync(_call.ResponseStream.Current, _stop.Token);
        }
    }

    private async Task<RpcException?> EndedAsync()
    {
        try
        {
            await _reader;
            return null;
        }
        catch (RpcException e)
        {
            return e;
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }

    private async Task HeartbeatAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(_heartbeatInterval, _stop.Token);
                if (Heartbeating)
                {
                    await SendAsync(new AgentMessage { Heartbeat = new Heartbeat { SentAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), Runtime = RuntimeHealth.Ok } });
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or InvalidOperationException)
        {
            // The session ended.
        }
    }
}
