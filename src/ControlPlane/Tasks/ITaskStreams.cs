namespace Orchestrator.ControlPlane.Tasks;

/// <summary>
/// Streams to and from a running task's containers through the agent that runs it: its logs, and commands run in it.
/// The front ends check who may ask and for which task; <c>Agents</c> implements this over the agents' Attach calls.
/// </summary>
public interface ITaskStreams
{
    /// <summary>
    /// The task's log lines (all its containers, or those named) from its instance's agent: what Docker holds and, with
    /// follow, each new line until the containers stop — across agent restarts (the stream resumes after the last line
    /// seen). Throws <see cref="TaskStreamException"/> when the agent cannot be reached or refuses.
    /// </summary>
    IAsyncEnumerable<TaskOutputChunk> LogsAsync(string instanceArn, string taskArn, TaskLogsQuery query, CancellationToken cancellationToken);

    /// <summary>What the task's containers use, as its agent samples it: the latest sample, or with follow each new one.</summary>
    IAsyncEnumerable<TaskUsage> StatsAsync(string instanceArn, string taskArn, bool follow, CancellationToken cancellationToken);

    /// <summary>Starts a command in one of the task's containers; the session carries its input and output.</summary>
    Task<IExecSession> ExecAsync(string instanceArn, string taskArn, ExecCommand command, CancellationToken cancellationToken);
}

public sealed record TaskLogsQuery(IReadOnlyList<string> Containers, bool Follow, DateTimeOffset? Since, int? Tail);

public sealed record ExecCommand(string Container, IReadOnlyList<string> Command, bool Tty, bool Stdin, uint Rows, uint Columns);

/// <summary>One sample of a task's usage, per container.</summary>
public sealed record TaskUsage(DateTimeOffset SampledAt, IReadOnlyList<ContainerUsage> Containers);

/// <summary>A container's usage; CPU in percent of one CPU.</summary>
public sealed record ContainerUsage(
    string Name, double CpuPercent, long MemoryUsedBytes, long MemoryLimitBytes, long NetworkRxBytes, long NetworkTxBytes, long BlockReadBytes, long BlockWriteBytes);

/// <summary>A log line (with <see cref="Time"/>) or a piece of a command's output; fd 1 is stdout, 2 stderr.</summary>
public sealed record TaskOutputChunk(string Container, int Fd, ReadOnlyMemory<byte> Data, DateTimeOffset? Time);

/// <summary>A command running in a container: its output until it exits, then its exit code.</summary>
public interface IExecSession : IAsyncDisposable
{
    /// <summary>The command's output, ending when it exits; then <see cref="ExitCode"/> holds its exit code.</summary>
    IAsyncEnumerable<TaskOutputChunk> OutputAsync(CancellationToken cancellationToken);

    int? ExitCode { get; }

    Task WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    Task CloseInputAsync(CancellationToken cancellationToken);

    Task ResizeAsync(uint rows, uint columns, CancellationToken cancellationToken);
}

/// <summary>A stream could not be opened or went on no further; the message says why, for the caller.</summary>
public sealed class TaskStreamException(string message) : Exception(message);
