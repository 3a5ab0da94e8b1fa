using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Orchestrator.Agent.Docker;

/// <summary>
/// <see cref="IContainerStreams"/> over the Docker engine API, on a client of its own so that a log followed for
/// hours never holds a connection the task engine's bounded calls need.
/// </summary>
public sealed class DockerStreams(Uri endpoint) : IContainerStreams, IDisposable
{
    /// <summary>Docker splits longer log lines; a line without a newline is passed on once it reaches this.</summary>
    public const int MaxLine = 64 * 1024;

    private readonly DockerClient _client = new DockerClientBuilder().WithEndpoint(endpoint).WithTimeout(Timeout.InfiniteTimeSpan).Build();

    public async IAsyncEnumerable<LogLine> ReadLogsAsync(
        string containerId, bool follow, DateTimeOffset? since, int? tail, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Follow = follow,
            Timestamps = true,
            Since = since is { } s ? UnixTime(s) : null,
            Tail = tail is { } t ? t.ToString(CultureInfo.InvariantCulture) : "all",
        };
        using var stream = await Refusing(() => _client.Containers.GetContainerLogsAsync(containerId, parameters, cancellationToken), containerId).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var pending = new[] { new ArrayBufferWriter<byte>(), new ArrayBufferWriter<byte>() };
        try
        {
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read.EOF)
                {
                    break;
                }

                var fd = read.Target == MultiplexedStream.TargetStream.StandardError ? 2 : 1;
                var line = pending[fd - 1];
                var data = buffer.AsMemory(0, read.Count);
                while (!data.IsEmpty)
                {
                    var newline = data.Span.IndexOf((byte)'\n');
                    var take = newline < 0 ? data.Length : newline + 1;
                    line.Write(data.Span[..take]);
                    data = data[take..];
                    if (newline >= 0 || line.WrittenCount >= MaxLine)
                    {
                        yield return Parse(fd, line.WrittenSpan);
                        line.ResetWrittenCount();
                    }
                }
            }

            for (var i = 0; i < pending.Length; i++)
            {
                if (pending[i].WrittenCount > 0)
                {
                    yield return Parse(i + 1, pending[i].WrittenSpan);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<IExecProcess> StartExecAsync(string containerId, ExecSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var created = await Refusing(() => _client.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = [.. spec.Command],
            AttachStdin = spec.Stdin,
            AttachStdout = true,
            AttachStderr = true,
            TTY = spec.Tty,
        }, cancellationToken), containerId).ConfigureAwait(false);
        var stream = await Refusing(() => _client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters { TTY = spec.Tty, Detach = false }, cancellationToken), containerId)
            .ConfigureAwait(false);
        var process = new DockerExec(_client, created.ID, stream, spec.Tty);
        if (spec.Tty && spec.Rows > 0 && spec.Columns > 0)
        {
            await process.ResizeAsync(spec.Rows, spec.Columns, cancellationToken).ConfigureAwait(false);
        }

        return process;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Docker's "seconds.nanoseconds" form, which its since filter reads to the nanosecond.</summary>
    internal static string UnixTime(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerSecond}.{ticks % TimeSpan.TicksPerSecond * 100:D9}");
    }

    /// <summary>A line as Docker sends it with timestamps: "2026-12-06T15:04:05.123456789Z text\n".</summary>
    internal static LogLine Parse(int fd, ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        if (space > 0 && space <= 40 && ParseTime(line[..space]) is { } time)
        {
            return new LogLine(fd, line[(space + 1)..].ToArray(), time);
        }

        return new LogLine(fd, line.ToArray(), null);
    }

    private static DateTimeOffset? ParseTime(ReadOnlySpan<byte> text)
    {
        // .NET reads at most 7 fractional digits; Docker writes up to 9.
        Span<char> chars = stackalloc char[text.Length];
        var length = 0;
        var digits = -1;
        foreach (var b in text)
        {
            if (b == '.')
            {
                digits = 0;
            }
            else if (digits >= 0 && b is >= (byte)'0' and <= (byte)'9')
            {
                if (++digits > 7)
                {
                    continue;
                }
            }
            else if (digits >= 0)
            {
                digits = -1;
            }

            chars[length++] = (char)b;
        }

        return DateTimeOffset.TryParse(chars[..length], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
    }

    private static async Task<T> Refusing<T>(Func<Task<T>> call, string containerId)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            var id = containerId[..Math.Min(12, containerId.Length)];
            throw new ContainerStreamException(e.StatusCode switch
            {
                HttpStatusCode.NotFound => $"container {id} no longer exists",
                HttpStatusCode.Conflict => $"container {id} is not running",
                // e.g. "configured logging driver does not support reading" for log drivers Docker cannot read back
                _ => $"Docker refused (container {id}): {DockerMessage(e.ResponseBody)}",
            }, e);
        }
    }

    /// <summary>The "message" of Docker's error document, or its text when it is not one.</summary>
    internal static string DockerMessage(string? body)
    {
        var text = body?.Trim() ?? "";
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object &&
                document.RootElement.TryGetProperty("message", out var message) && message.GetString() is { } value)
            {
                text = value;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: the text as it is.
        }

        return text.Length > 300 ? text[..300] : text;
    }

    private sealed class DockerExec(DockerClient client, string execId, MultiplexedStream stream, bool tty) : IExecProcess
    {
        private readonly byte[] _buffer = new byte[16 * 1024];

        public async Task<(int Fd, ReadOnlyMemory<byte> Data)?> ReadAsync(CancellationToken cancellationToken)
        {
            var read = await stream.ReadOutputAsync(_buffer, 0, _buffer.Length, cancellationToken).ConfigureAwait(false);
            if (read.EOF)
            {
                return null;
            }

            var fd = !tty && read.Target == MultiplexedStream.TargetStream.StandardError ? 2 : 1;
            return (fd, _buffer.AsMemory(0, read.Count).ToArray());
        }

        public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            stream.WriteAsync(data.ToArray(), 0, data.Length, cancellationToken);

        public void CloseInput() => stream.CloseWrite();

        public Task ResizeAsync(uint rows, uint columns, CancellationToken cancellationToken) =>
            client.Exec.ResizeExecTtyAsync(execId, new ContainerResizeParameters { Height = rows, Width = columns }, cancellationToken);

        public async Task<int?> ExitCodeAsync(CancellationToken cancellationToken)
        {
            // The output ends a moment before Docker records the exit code; on a loaded engine the moment can last
            // seconds, so wait up to 10 s before calling the exit code unknown.
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(10))
            {
                var inspected = await client.Exec.InspectContainerExecAsync(execId, cancellationToken).ConfigureAwait(false);
                if (!inspected.Running)
                {
                    return (int?)inspected.ExitCode;
                }

                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }

        public void Dispose() => stream.Dispose();
    }
}
