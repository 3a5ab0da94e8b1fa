namespace Orchestrator.Agent.Docker;

/// <summary>
/// Long-lived streams from Docker that have no deadline: a container's log, and a command run in a container. Kept
/// apart from <see cref="IDockerDriver"/>, whose every call is bounded by a timeout.
/// </summary>
public interface IContainerStreams
{
    /// <summary>
    /// The container's log lines (Docker's json-file or local driver) from <paramref name="since"/> (inclusive), the last
    /// <paramref name="tail"/> only when given; with <paramref name="follow"/>, new lines until the container stops.
    /// </summary>
    IAsyncEnumerable<LogLine> ReadLogsAsync(string containerId, bool follow, DateTimeOffset? since, int? tail, CancellationToken cancellationToken);

    /// <summary>Starts a command in a running container, attached to its output (and input when asked).</summary>
    Task<IExecProcess> StartExecAsync(string containerId, ExecSpec spec, CancellationToken cancellationToken);
}

/// <summary>One log line with its newline; fd 1 is stdout, 2 stderr.</summary>
public sealed record LogLine(int Fd, byte[] Data, DateTimeOffset? Time);

public sealed record ExecSpec(IReadOnlyList<string> Command, bool Tty, bool Stdin, uint Rows, uint Columns);

/// <summary>A command running in a container.</summary>
public interface IExecProcess : IDisposable
{
    /// <summary>The next piece of output (fd 1 or 2), or null once the command's output ended.</summary>
    Task<(int Fd, ReadOnlyMemory<byte> Data)?> ReadAsync(CancellationToken cancellationToken);

    Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    void CloseInput();

    Task ResizeAsync(uint rows, uint columns, CancellationToken cancellationToken);

    /// <summary>The command's exit code, once its output ended.</summary>
    Task<int?> ExitCodeAsync(CancellationToken cancellationToken);
}

/// <summary>Docker refused a stream (e.g. the container is gone or not running); the message is for the user.</summary>
public sealed class ContainerStreamException(string message, Exception? inner = null) : Exception(message, inner);
