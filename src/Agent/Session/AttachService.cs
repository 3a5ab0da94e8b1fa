using System.Threading.Channels;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Docker;
using Orchestrator.Agent.Stats;
using Orchestrator.Agent.Security;
using Orchestrator.Agent.State;
using Orchestrator.Contracts.Agent;

namespace Orchestrator.Agent.Session;

/// <summary>
/// Serves the streams the control plane asks for (ControlMessage.open_stream): for each, an Attach call with the
/// host's certificate that carries a task's log lines (from Docker's log, several containers at once), a command
/// run in one of its containers (with its input and terminal resizes), or its usage from the stats sampler. A stream lives apart from the session: it
/// ends when its output ends, when the control plane ends the call (the user pressed Ctrl-C), or when the agent stops.
/// </summary>
public sealed partial class AttachService(
    ControlPlaneConnection connection, AgentStore store, IContainerStreams docker, StatsSampler sampler, IOptions<AgentOptions> options, ILogger<AttachService> logger)
    : IDisposable
{
    /// <summary>How many log lines wait for the control plane before Docker's log is read further.</summary>
    private const int Backlog = 256;

    private readonly CancellationTokenSource _stopping = new();
    private int _open;

    /// <summary>How many streams are open now.</summary>
    public int OpenStreams => Volatile.Read(ref _open);

    /// <summary>Starts serving the stream in the background.</summary>
    public void Open(OpenStream request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _ = Task.Run(() => ServeAsync(request, _stopping.Token));
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task ServeAsync(OpenStream request, CancellationToken stopping)
    {
        var open = Interlocked.Increment(ref _open);
        Log.StreamOpened(logger, request.StreamId, request.KindCase.ToString(), request.TaskArn, open);
        try
        {
            using var lease = connection.Acquire();
            using var call = lease.Client.Attach(cancellationToken: stopping);
            await call.RequestStream.WriteAsync(new AttachUp { StreamId = request.StreamId }, stopping).ConfigureAwait(false);

            // The one reader of the control plane's side: input for a command, and the end of the call (the user went
            // away), which cancels `ended` so nothing more is read from Docker. Never cancelled by a token of its own:
            // with gRPC that would cancel the call before the stream's end is delivered.
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var down = Channel.CreateUnbounded<AttachDown>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var watch = WatchAsync(call.ResponseStream, down.Writer, ended);
            StreamEnd end;
            try
            {
                var task = store.LoadTasks().FirstOrDefault(t => t.TaskArn == request.TaskArn);
                end = task is null
                    ? new StreamEnd { Error = $"Task {request.TaskArn} is not on this container instance." }
                    : request.KindCase switch
                    {
                        OpenStream.KindOneofCase.Logs => await LogsAsync(task, request.Logs, call.RequestStream, ended.Token).ConfigureAwait(false),
                        OpenStream.KindOneofCase.Exec => await ExecAsync(task, request.Exec, call.RequestStream, down.Reader, ended).ConfigureAwait(false),
                        OpenStream.KindOneofCase.Stats => await StatsAsync(task.TaskArn, request.Stats, call.RequestStream, ended.Token).ConfigureAwait(false),
                        _ => new StreamEnd { Error = "This agent does not know that kind of stream." },
                    };
            }
            catch (OperationCanceledException) when (ended.IsCancellationRequested && !stopping.IsCancellationRequested)
            {
                return; // the control plane ended the call
            }

            await call.RequestStream.WriteAsync(new AttachUp { End = end }, stopping).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            // The call ends once the control plane has read the end; then the lease may go.
            await watch.WaitAsync(TimeSpan.FromSeconds(10), stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or TimeoutException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            Log.StreamBroken(logger, request.StreamId, e.Message);
        }
        catch (Exception e)
        {
            Log.StreamFailed(logger, request.StreamId, e);
        }
        finally
        {
            Log.StreamClosed(logger, request.StreamId, Interlocked.Decrement(ref _open));
        }
    }

    private static async Task WatchAsync(IAsyncStreamReader<AttachDown> responses, ChannelWriter<AttachDown> down, CancellationTokenSource ended)
    {
        try
        {
            while (await responses.MoveNext(CancellationToken.None).ConfigureAwait(false))
            {
                down.TryWrite(responses.Current);
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or IOException or InvalidOperationException)
        {
            // The call broke or was cancelled: the same as ended.
        }
        finally
        {
            down.TryComplete();
            try
            {
                await ended.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The stream was already over.
            }
        }
    }

    /// <summary>Log lines of the asked containers, interleaved as they come, until they end (or the call does).</summary>
    private async Task<StreamEnd> LogsAsync(StoredTask task, LogsRequest request, IClientStreamWriter<AttachUp> up, CancellationToken ended)
    {
        var containers = task.Containers.Where(c => request.Containers.Count == 0 || request.Containers.Contains(c.Name)).ToList();
        if (containers.Count > 0 && containers.All(c => c.RuntimeId is null))
        {
            return new StreamEnd { Error = $"Container {containers[0].Name} has not been created yet: it has no log." };
        }

        using var readersDone = CancellationTokenSource.CreateLinkedTokenSource(ended);
        var lines = Channel.CreateBounded<OutputChunk>(new BoundedChannelOptions(Backlog) { SingleReader = true });
        var since = request.Since?.ToDateTimeOffset();
        int? tail = request.HasTail ? request.Tail : null;
        var readers = containers.Where(c => c.RuntimeId is not null)
            .Select(c => ReadContainerAsync(c, request.Follow, since, tail, lines.Writer, readersDone.Token))
            .ToList();
        var all = Task.WhenAll(readers).ContinueWith(_ => lines.Writer.TryComplete(), TaskScheduler.Default);
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(ended).ConfigureAwait(false))
            {
                await up.WriteAsync(new AttachUp { Output = line }, ended).ConfigureAwait(false);
            }
        }
        finally
        {
            // However the relay ended, no Docker log is read on.
            await readersDone.CancelAsync().ConfigureAwait(false);
            await all.ConfigureAwait(false);
        }

        var failures = readers.Select(r => r.Result).OfType<string>().ToList();
        return new StreamEnd { Error = failures.Count > 0 && failures.Count == readers.Count ? failures[0] : "" };
    }

    private async Task<string?> ReadContainerAsync(
        ContainerRecord container, bool follow, DateTimeOffset? since, int? tail, ChannelWriter<OutputChunk> lines, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var line in docker.ReadLogsAsync(container.RuntimeId!, follow, since, tail, cancellationToken).ConfigureAwait(false))
            {
                var chunk = new OutputChunk { Container = container.Name, Fd = line.Fd, Data = ByteString.CopyFrom(line.Data) };
                if (line.Time is { } time)
                {
                    chunk.Time = Timestamp.FromDateTimeOffset(time);
                }

                await lines.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception e) when (e is ContainerStreamException or global::Docker.DotNet.DockerApiException or IOException or HttpRequestException)
        {
            return $"Container {container.Name}: {e.Message}.";
        }
    }

    /// <summary>
    /// The task's containers' latest samples from the stats sampler: once (waiting for a first sample if there is none
    /// yet), or with follow once per sampling interval until the call ends.
    /// </summary>
    private async Task<StreamEnd> StatsAsync(string taskArn, StatsRequest request, IClientStreamWriter<AttachUp> up, CancellationToken ended)
    {
        if (!sampler.Enabled)
        {
            return new StreamEnd { Error = "Stats sampling is off on this container instance's agent (Agent:StatsEnabled=false)." };
        }

        var interval = options.Value.StatsInterval > TimeSpan.FromSeconds(1) ? options.Value.StatsInterval : TimeSpan.FromSeconds(1);
        var waited = TimeSpan.Zero;
        while (true)
        {
            var task = store.LoadTasks().FirstOrDefault(t => t.TaskArn == taskArn);
            var sample = new TaskStatsSample { SampledAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) };
            foreach (var container in task?.Containers ?? [])
            {
                if (container.RuntimeId is { } id && sampler.Latest(id) is { } latest)
                {
                    var s = latest.Summary;
                    sample.Containers.Add(new ContainerUsage
                    {
                        Name = container.Name,
                        CpuPercent = s.CpuPercent,
                        MemoryUsedBytes = s.MemoryUsedBytes,
                        MemoryLimitBytes = s.MemoryLimitBytes,
                        NetworkRxBytes = s.NetworkRxBytes,
                        NetworkTxBytes = s.NetworkTxBytes,
                        BlockReadBytes = s.BlockReadBytes,
                        BlockWriteBytes = s.BlockWriteBytes,
                    });
                }
            }

            var running = task?.Containers.Any(c => c.KnownStatus == LifecycleStatus.Running) == true;
            if (sample.Containers.Count > 0 || !running || waited > interval * 3)
            {
                await up.WriteAsync(new AttachUp { Stats = sample }, ended).ConfigureAwait(false);
                if (!request.Follow || !running)
                {
                    return new StreamEnd();
                }
            }

            await Task.Delay(sample.Containers.Count > 0 ? interval : TimeSpan.FromMilliseconds(250), ended).ConfigureAwait(false);
            waited += sample.Containers.Count > 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(250);
        }
    }

    /// <summary>Runs the command; its output goes up, input and resizes come down; ends with its exit code.</summary>
    private async Task<StreamEnd> ExecAsync(
        StoredTask task, ExecRequest request, IClientStreamWriter<AttachUp> up, ChannelReader<AttachDown> down, CancellationTokenSource ended)
    {
        var container = task.Container(request.Container);
        if (container?.RuntimeId is null || container.KnownStatus != LifecycleStatus.Running)
        {
            return new StreamEnd { Error = $"Container {request.Container} is not running." };
        }

        IExecProcess process;
        try
        {
            process = await docker.StartExecAsync(
                container.RuntimeId, new ExecSpec([.. request.Command], request.Tty, request.Stdin, request.Size?.Rows ?? 0, request.Size?.Columns ?? 0), ended.Token)
                .ConfigureAwait(false);
        }
        catch (ContainerStreamException e)
        {
            return new StreamEnd { Error = $"Container {request.Container}: {e.Message}." };
        }
        catch (global::Docker.DotNet.DockerApiException e)
        {
            return new StreamEnd { Error = $"Docker could not run the command: {DockerStreams.DockerMessage(e.ResponseBody)}" };
        }

        using (process)
        {
            // Ends with the call, which the control plane ends once it has the command's exit code.
            _ = PumpInputAsync(down, process, ended);
            while (await process.ReadAsync(ended.Token).ConfigureAwait(false) is { } output)
            {
                await up.WriteAsync(
                    new AttachUp { Output = new OutputChunk { Container = container.Name, Fd = output.Fd, Data = ByteString.CopyFrom(output.Data.Span) } },
                    ended.Token).ConfigureAwait(false);
            }

            var exitCode = await process.ExitCodeAsync(ended.Token).ConfigureAwait(false);
            var end = new StreamEnd();
            if (exitCode is { } code)
            {
                end.ExitCode = code;
            }

            return end;
        }
    }

    /// <summary>Input and terminal resizes from the caller, until the call ends (which ends the command's input too).</summary>
    private static async Task PumpInputAsync(ChannelReader<AttachDown> down, IExecProcess process, CancellationTokenSource ended)
    {
        try
        {
            await foreach (var message in down.ReadAllAsync(ended.Token).ConfigureAwait(false))
            {
                switch (message.KindCase)
                {
                    case AttachDown.KindOneofCase.Stdin:
                        await process.WriteAsync(message.Stdin.Memory, ended.Token).ConfigureAwait(false);
                        break;
                    case AttachDown.KindOneofCase.CloseStdin:
                        process.CloseInput();
                        break;
                    case AttachDown.KindOneofCase.Resize:
                        await process.ResizeAsync(message.Resize.Rows, message.Resize.Columns, ended.Token).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or ObjectDisposedException or global::Docker.DotNet.DockerApiException)
        {
            // The command or the call ended.
        }
    }
}
