using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Tasks;

namespace Orchestrator.ControlPlane.Agents;

/// <summary>
/// <see cref="ITaskStreams"/> over the agents' Attach calls: asks the task's agent (down its session) to open a
/// stream under a fresh random ID, waits for the agent's Attach call naming that ID — accepted only from the
/// instance asked —, then relays. A followed log whose agent goes away resumes when the agent is back, after the
/// last line already passed on.
/// </summary>
public sealed partial class TaskStreamBroker(AgentSessions sessions, ILogger<TaskStreamBroker> logger) : ITaskStreams
{
    /// <summary>How long an agent has to answer an open_stream with its Attach call.</summary>
    public static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private int _open;

    /// <summary>How many agent streams are being relayed now.</summary>
    public int OpenStreams => Volatile.Read(ref _open);

    public async IAsyncEnumerable<TaskOutputChunk> LogsAsync(
        string instanceArn, string taskArn, TaskLogsQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var seen = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var resumed = false;
        while (true)
        {
            var request = new LogsRequest { Follow = query.Follow };
            request.Containers.AddRange(query.Containers);
            var since = resumed && seen.Count > 0 ? seen.Values.Min() : query.Since;
            if (since is { } s)
            {
                request.Since = Timestamp.FromDateTimeOffset(s);
            }

            if (!resumed && query.Tail is { } tail)
            {
                request.Tail = tail;
            }

            await using var stream = await OpenAsync(instanceArn, new OpenStream { TaskArn = taskArn, Logs = request }, cancellationToken).ConfigureAwait(false);
            while (await stream.NextAsync(cancellationToken).ConfigureAwait(false) is { } message)
            {
                if (message.End is { } end)
                {
                    if (!string.IsNullOrEmpty(end.Error))
                    {
                        throw new TaskStreamException(end.Error);
                    }

                    yield break;
                }

                if (message.Output is not { } output)
                {
                    continue;
                }

                var time = output.Time?.ToDateTimeOffset();
                if (time is { } t)
                {
                    // After a resume Docker sends again what came at or after the resume time: pass each line on once.
                    if (seen.TryGetValue(output.Container, out var last) && t <= last)
                    {
                        continue;
                    }

                    seen[output.Container] = t;
                }

                yield return new TaskOutputChunk(output.Container, output.Fd, output.Data.Memory, time);
            }

            // The agent's call ended without an end: the agent went away (restart, network).
            if (!query.Follow)
            {
                throw new TaskStreamException("The agent's stream broke off: its container instance disconnected.");
            }

            Log.Resuming(logger, taskArn, instanceArn);
            await WaitConnectedAsync(instanceArn, cancellationToken).ConfigureAwait(false);
            resumed = true;
        }
    }

    public async IAsyncEnumerable<TaskUsage> StatsAsync(string instanceArn, string taskArn, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = await OpenAsync(instanceArn, new OpenStream { TaskArn = taskArn, Stats = new StatsRequest { Follow = follow } }, cancellationToken)
            .ConfigureAwait(false);
        while (await stream.NextAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            if (message.End is { } end)
            {
                if (!string.IsNullOrEmpty(end.Error))
                {
                    throw new TaskStreamException(end.Error);
                }

                yield break;
            }

            if (message.Stats is { } sample)
            {
                yield return new TaskUsage(sample.SampledAt?.ToDateTimeOffset() ?? DateTimeOffset.MinValue, [.. sample.Containers.Select(c => new Tasks.ContainerUsage(
                    c.Name, c.CpuPercent, c.MemoryUsedBytes, c.MemoryLimitBytes, c.NetworkRxBytes, c.NetworkTxBytes, c.BlockReadBytes, c.BlockWriteBytes))]);
            }
        }

        throw new TaskStreamException("The agent's stream broke off: its container instance disconnected.");
    }

    public async Task<IExecSession> ExecAsync(string instanceArn, string taskArn, ExecCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var request = new ExecRequest { Container = command.Container, Tty = command.Tty, Stdin = command.Stdin, Size = new TerminalSize { Rows = command.Rows, Columns = command.Columns } };
        request.Command.AddRange(command.Command);
        var stream = await OpenAsync(instanceArn, new OpenStream { TaskArn = taskArn, Exec = request }, cancellationToken).ConfigureAwait(false);
        return new ExecSession(stream);
    }

    /// <summary>
    /// The agent's Attach call: its first message must name a stream this control plane is waiting for from
    /// <paramref name="instanceArn"/> (null in the insecure mode, where the random ID is all there is). The call is
    /// held open until the relay is done with it.
    /// </summary>
    public async Task AttachAsync(string? instanceArn, IAsyncStreamReader<AttachUp> up, IServerStreamWriter<AttachDown> down, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(up);
        ArgumentNullException.ThrowIfNull(context);
        if (!await up.MoveNext(context.CancellationToken).ConfigureAwait(false) || up.Current.KindCase != AttachUp.KindOneofCase.StreamId)
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.InvalidArgument, "An Attach call must open with the stream's ID."));
        }

        var id = up.Current.StreamId;
        if (!_pending.TryGetValue(id, out var pending) || (instanceArn is not null && pending.InstanceArn != instanceArn))
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.NotFound, "No stream with that ID is waiting for this container instance."));
        }

        if (!_pending.TryRemove(new KeyValuePair<string, Pending>(id, pending)))
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.NotFound, "No stream with that ID is waiting for this container instance."));
        }

        var stream = new AgentStream(up, down, context.CancellationToken);
        if (!pending.Attached.TrySetResult(stream))
        {
            return; // the caller gave up meanwhile
        }

        Interlocked.Increment(ref _open);
        try
        {
            await stream.Done.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The agent's call ended first; the relay sees the stream break.
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task<AgentStream> OpenAsync(string instanceArn, OpenStream open, CancellationToken cancellationToken)
    {
        open.StreamId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var pending = new Pending(instanceArn);
        _pending[open.StreamId] = pending;
        try
        {
            if (!sessions.TrySend(instanceArn, new ControlMessage { OpenStream = open }))
            {
                throw new TaskStreamException($"The agent of container instance {instanceArn} is not connected.");
            }

            return await pending.Attached.Task.WaitAsync(AttachTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TaskStreamException($"The agent of container instance {instanceArn} did not open the stream within {AttachTimeout.TotalSeconds:0} s.");
        }
        finally
        {
            if (_pending.TryRemove(new KeyValuePair<string, Pending>(open.StreamId, pending)))
            {
                pending.Attached.TrySetCanceled(CancellationToken.None);
            }
        }
    }

    private async Task WaitConnectedAsync(string instanceArn, CancellationToken cancellationToken)
    {
        // Bounded only by the caller, who follows the log until they stop.
        while (!sessions.IsConnected(instanceArn))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Pending(string instanceArn)
    {
        public string InstanceArn { get; } = instanceArn;

        public TaskCompletionSource<AgentStream> Attached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One agent's Attach call, as the relay sees it.</summary>
    private sealed class AgentStream(IAsyncStreamReader<AttachUp> up, IServerStreamWriter<AttachDown> down, CancellationToken callEnded) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _writing = new(1, 1);
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Done => _done.Task;

        /// <summary>The agent's next message; null once its call ended (or broke).</summary>
        public async Task<AttachUp?> NextAsync(CancellationToken cancellationToken)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callEnded);
            try
            {
                return await up.MoveNext(either.Token).ConfigureAwait(false) ? up.Current : null;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is RpcException or OperationCanceledException or IOException or InvalidOperationException)
            {
                return null;
            }
        }

        public async Task SendAsync(AttachDown message, CancellationToken cancellationToken)
        {
            await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_done.Task.IsCompleted && !callEnded.IsCancellationRequested)
                {
                    await down.WriteAsync(message, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is RpcException or IOException or InvalidOperationException)
            {
                // The agent's call is gone; its output loop sees that.
            }
            finally
            {
                _writing.Release();
            }
        }

        public ValueTask DisposeAsync()
        {
            _done.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ExecSession(AgentStream stream) : IExecSession
    {
        public int? ExitCode { get; private set; }

        public async IAsyncEnumerable<TaskOutputChunk> OutputAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            while (await stream.NextAsync(cancellationToken).ConfigureAwait(false) is { } message)
            {
                if (message.End is { } end)
                {
                    if (!string.IsNullOrEmpty(end.Error))
                    {
                        throw new TaskStreamException(end.Error);
                    }

                    ExitCode = end.HasExitCode ? end.ExitCode : null;
                    yield break;
                }

                if (message.Output is { } output)
                {
                    yield return new TaskOutputChunk(output.Container, output.Fd, output.Data.Memory, null);
                }
            }

            throw new TaskStreamException("The agent's stream broke off before the command ended: its container instance disconnected.");
        }

        public Task WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            stream.SendAsync(new AttachDown { Stdin = ByteString.CopyFrom(data.Span) }, cancellationToken);

        public Task CloseInputAsync(CancellationToken cancellationToken) => stream.SendAsync(new AttachDown { CloseStdin = true }, cancellationToken);

        public Task ResizeAsync(uint rows, uint columns, CancellationToken cancellationToken) =>
            stream.SendAsync(new AttachDown { Resize = new TerminalSize { Rows = rows, Columns = columns } }, cancellationToken);

        public ValueTask DisposeAsync() => stream.DisposeAsync();
    }
}
