using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Orchestrator.Contracts.Agent;
using Status = Orchestrator.Contracts.Agent.Status;
using VersionInfo = Orchestrator.Contracts.Agent.VersionInfo;

namespace Orchestrator.Benchmarks;

/// <summary>
/// An agent on a fake Docker: speaks the agent protocol (protos/agent.proto) exactly as src/Agent does — registers
/// with resources and attributes, opens the session with a hello, sends a heartbeat every 2 s — but starts no
/// container. Each task it is sent is reported RUNNING at once as a sequenced state change (one per task, numbered
/// 1, 2, 3, … like the real agent's outbox); a change stays pending until an acknowledgement covers its number, and
/// only then does the control plane hold it, and the task ARN is passed to the stored callback.
/// Over TLS it joins as a new host does (<see cref="JoinAsync"/>): an activation and a certificate request for an ECDSA
/// P-256 key it generates, then mutual TLS with the issued certificate for the session.
/// </summary>
public sealed class SimulatedAgent(Uri endpoint, string cluster, int index, Action<string> stored) : IAsyncDisposable
{
    private static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(2);

    private GrpcChannel _channel = GrpcChannel.ForAddress(endpoint);
    private readonly Channel<AgentMessage> _outgoing = Channel.CreateUnbounded<AgentMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<ulong, string> _unacknowledged = [];
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private AsyncDuplexStreamingCall<AgentMessage, ControlMessage>? _call;
    private Task _running = Task.CompletedTask;
    private ulong _lastSequence;

    public string InstanceArn { get; private set; } = "";

    /// <summary>Told each RunTask command received (before de-duplication), to count deliveries per task.</summary>
    public Action<string>? Delivered { get; init; }

    /// <summary>The heartbeat interval, said in the hello; the real agent's default is 2 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = DefaultHeartbeatInterval;

    /// <summary>Completes when the control plane has answered the hello (its first acknowledgement).</summary>
    public Task Established => _established.Task;

    /// <summary>Fails when the session fails; never completes otherwise until disposal.</summary>
    public Task Running => _running;

    /// <summary>As the real agent registers a Linux host (HostRegistration), with room for every task of the run.</summary>
    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var client = new AgentService.AgentServiceClient(_channel);
        var response = await client.RegisterAsync(NewRegisterRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
        InstanceArn = response.ContainerInstanceArn;
    }

    /// <summary>
    /// A first join over TLS, as src/Agent's Registrar does: Register on <paramref name="joinChannel"/> (TLS trusting
    /// the cluster CA, no client certificate) with the activation and a PKCS#10 request for a new ECDSA P-256 key;
    /// then this agent's channel is mutual TLS with the issued certificate.
    /// </summary>
    public async Task JoinAsync(GrpcChannel joinChannel, X509Certificate2 ca, string activationId, string activationCode, CancellationToken cancellationToken)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName($"mi-bench{index:x9}");
        var request = NewRegisterRequest();
        request.ActivationId = activationId;
        request.ActivationCode = activationCode;
        request.CertificateRequest = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var response = await new AgentService.AgentServiceClient(joinChannel).RegisterAsync(
            request, deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: cancellationToken);
        if (string.IsNullOrEmpty(response.Certificate))
        {
            throw new InvalidOperationException("Register answered the activation without a certificate.");
        }

        InstanceArn = response.ContainerInstanceArn;
        using var issued = X509Certificate2.CreateFromPem(response.Certificate);
        // Exported and loaded again: on Linux a certificate joined with an ephemeral key works for TLS client auth.
        var certificate = X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
        _channel.Dispose();
        _channel = TlsChannel(endpoint, ca, certificate);
    }

    /// <summary>A channel that trusts only the cluster CA, presenting <paramref name="clientCertificate"/> when given.</summary>
    public static GrpcChannel TlsChannel(Uri endpoint, X509Certificate2 ca, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Contracts.ClusterCa.Trusts(ca, certificate, errors),
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
            },
        };
        return GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    private RegisterRequest NewRegisterRequest()
    {
        return new RegisterRequest
        {
            Cluster = cluster,
            Resources = new HostResources
            {
                Cpu = 64 * 1024,
                MemoryMib = 256 * 1024,
                ReservedTcpPorts = { 22, 2375, 2376, 51678, 51679 },
                DynamicPortFirst = 49153,
                DynamicPortLast = 65535,
            },
            Attributes =
            {
                new Contracts.Agent.Attribute { Name = "ecs.os-type", Value = "linux" },
                new Contracts.Agent.Attribute { Name = "ecs.cpu-architecture", Value = "x86_64" },
                new Contracts.Agent.Attribute { Name = "ecs.os-family", Value = "LINUX" },
                new Contracts.Agent.Attribute { Name = "com.amazonaws.ecs.capability.docker-remote-api.1.41" },
                new Contracts.Agent.Attribute { Name = "ecs.capability.container-health-check" },
            },
            VersionInfo = new VersionInfo { AgentVersion = "0.1.0", AgentHash = "simulated", DockerVersion = "fake" },
            InstanceId = $"mi-bench{index:x9}",
            Hostname = $"simulated-{index}",
        };
    }

    /// <summary>Opens the session: hello (no tasks, nothing sent before), then reading, writing and heartbeats.</summary>
    public async Task OpenSessionAsync()
    {
        _call = new AgentService.AgentServiceClient(_channel).Session(cancellationToken: _stopping.Token);
        await _call.RequestStream.WriteAsync(new AgentMessage
        {
            Hello = new SessionHello
            {
                ContainerInstanceArn = InstanceArn,
                ThroughSequence = 0,
                HeartbeatInterval = Duration.FromTimeSpan(HeartbeatInterval),
                Runtime = RuntimeHealth.Ok,
            },
        }, _stopping.Token);
        _running = Task.WhenAll(ReadAsync(_call.ResponseStream), WriteAsync(_call.RequestStream), HeartbeatAsync());
    }

    /// <summary>State changes sent and not yet acknowledged.</summary>
    public int Unacknowledged
    {
        get
        {
            lock (_unacknowledged)
            {
                return _unacknowledged.Count;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _outgoing.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _running;
        }
        catch (Exception)
        {
            // Cancelled by the lines above, or already failed (which the run has reported).
        }

        _call?.Dispose();
        _channel.Dispose();
        _stopping.Dispose();
    }

    private async Task ReadAsync(IAsyncStreamReader<ControlMessage> responses)
    {
        while (await responses.MoveNext(_stopping.Token))
        {
            var message = responses.Current;
            switch (message.KindCase)
            {
                case ControlMessage.KindOneofCase.Ack:
                    Acknowledge(message.Ack.ThroughSequence);
                    _established.TrySetResult();
                    break;
                case ControlMessage.KindOneofCase.RunTask:
                    Delivered?.Invoke(message.RunTask.TaskArn);
                    // Idempotent by task ARN, as the real agent's engine is.
                    if (_known.Add(message.RunTask.TaskArn))
                    {
                        Report(RunningReport(message.RunTask));
                    }

                    break;
                case ControlMessage.KindOneofCase.StopTask:
                    Report(new TaskState
                    {
                        TaskArn = message.StopTask.TaskArn,
                        LastStatus = Status.Stopped,
                        StopCode = "TaskStopped",
                        StoppedReason = message.StopTask.Reason,
                        ExecutionStoppedAt = Timestamp.FromDateTime(DateTime.UtcNow),
                    });
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected control message {message.KindCase}.");
            }
        }
    }

    /// <summary>Sends, in order, whatever the reader and the heartbeat queued.</summary>
    private async Task WriteAsync(IClientStreamWriter<AgentMessage> requests)
    {
        await foreach (var message in _outgoing.Reader.ReadAllAsync(_stopping.Token))
        {
            await requests.WriteAsync(message, _stopping.Token);
        }
    }

    private async Task HeartbeatAsync()
    {
        using var timer = new PeriodicTimer(HeartbeatInterval);
        while (await timer.WaitForNextTickAsync(_stopping.Token))
        {
            _outgoing.Writer.TryWrite(new AgentMessage { Heartbeat = new Heartbeat { SentAt = Timestamp.FromDateTime(DateTime.UtcNow), Runtime = RuntimeHealth.Ok } });
        }
    }

    /// <summary>Numbers the change and queues it; called only from the reader, so numbers go out in order.</summary>
    private void Report(TaskState state)
    {
        var sequence = ++_lastSequence;
        lock (_unacknowledged)
        {
            _unacknowledged[sequence] = state.LastStatus == Status.Running ? state.TaskArn : "";
        }

        _outgoing.Writer.TryWrite(new AgentMessage { StateChange = new TaskStateChange { Sequence = sequence, Task = state } });
    }

    private void Acknowledge(ulong through)
    {
        List<string> done = [];
        lock (_unacknowledged)
        {
            foreach (var sequence in _unacknowledged.Keys.Where(s => s <= through).ToList())
            {
                if (_unacknowledged.Remove(sequence, out var taskArn) && taskArn.Length > 0)
                {
                    done.Add(taskArn);
                }
            }
        }

        done.ForEach(stored);
    }

    /// <summary>What the real agent reports once Docker has started every container: RUNNING, with a container ID each.</summary>
    private static TaskState RunningReport(RunTask run)
    {
        var now = Timestamp.FromDateTime(DateTime.UtcNow);
        var state = new TaskState { TaskArn = run.TaskArn, LastStatus = Status.Running, PullStartedAt = now, PullStoppedAt = now, StartedAt = now, HealthStatus = "UNKNOWN" };
        using var definition = JsonDocument.Parse(run.TaskDefinitionJson);
        foreach (var container in definition.RootElement.GetProperty("containerDefinitions").EnumerateArray())
        {
            state.Containers.Add(new ContainerState
            {
                Name = container.GetProperty("name").GetString() ?? "",
                RuntimeId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
                LastStatus = Status.Running,
                HealthStatus = "UNKNOWN",
            });
        }

        return state;
    }
}
