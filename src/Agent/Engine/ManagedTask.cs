using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>The engine's working state for one task; touched only by the engine's loop.</summary>
internal sealed class ManagedTask(TaskRecord record, TaskDefinition? definition, TaskOverride? overrides) : IDisposable
{
    public TaskRecord Record { get; set; } = record;

    public TaskDefinition? Definition { get; } = definition;

    public TaskOverride? Overrides { get; } = overrides;

    /// <summary>Containers with a Docker operation running.</summary>
    public HashSet<string> InFlight { get; } = new(StringComparer.Ordinal);

    /// <summary>Containers whose last operation failed, and when to try again.</summary>
    public Dictionary<string, DateTimeOffset> RetryAfter { get; } = new(StringComparer.Ordinal);

    /// <summary>Cancels image pulls once the task is to stop.</summary>
    public CancellationTokenSource PullCancellation { get; } = new();

    public bool CleaningUp { get; set; }

    public ContainerDefinition? ContainerDefinition(string name) =>
        Definition?.ContainerDefinitions.FirstOrDefault(c => c.Name == name);

    public IReadOnlySet<string> Busy(DateTimeOffset now)
    {
        var busy = new HashSet<string>(InFlight, StringComparer.Ordinal);
        foreach (var (name, after) in RetryAfter)
        {
            if (after > now)
            {
                busy.Add(name);
            }
        }

        return busy;
    }

    public void Dispose() => PullCancellation.Dispose();
}
