using System.Collections.Concurrent;

namespace Orchestrator.Agent.Engine;

/// <summary>One line for a task's events (<c>orch task events</c>) that is not a state change: a pull's progress.</summary>
public sealed record TaskNote(string TaskArn, DateTimeOffset At, string Message);

/// <summary>
/// Lines for tasks' events that the session sends to the control plane as they come (AgentMessage.task_note), best
/// effort: held in memory only until a session takes them, the oldest dropped past <see cref="Capacity"/>, lost when
/// the agent stops. State changes never go this way: they are sequenced in the store's outbox.
/// </summary>
public sealed class TaskNotes(TimeProvider time, Action? added = null)
{
    public const int Capacity = 256;

    /// <summary>The longest message kept; the control plane cuts again at its own limit.</summary>
    public const int MaxMessageLength = 300;

    private readonly ConcurrentQueue<TaskNote> _notes = new();

    public void Add(string taskArn, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _notes.Enqueue(new TaskNote(taskArn, time.GetUtcNow(), message.Length > MaxMessageLength ? message[..MaxMessageLength] : message));
        while (_notes.Count > Capacity && _notes.TryDequeue(out _))
        {
            // the oldest go first
        }

        added?.Invoke();
    }

    /// <summary>Every note waiting, oldest first; they are gone from here after.</summary>
    public IReadOnlyList<TaskNote> Drain()
    {
        var drained = new List<TaskNote>();
        for (var i = 0; i < Capacity * 2 && _notes.TryDequeue(out var note); i++)
        {
            drained.Add(note);
        }

        return drained;
    }
}
