using Orchestrator.Agent.State;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>The engine's working state for one task; touched only by the engine's loop.</summary>
internal sealed class ManagedTask(StoredTask record, TaskDefinition? definition, TaskOverride? overrides) : IDisposable
{
    public StoredTask Record { get; set; } = record;

    public TaskDefinition? Definition { get; } = definition;

    public TaskOverride? Overrides { get; } = overrides;

    /// <summary>
    /// The values of its containers' secrets, from the RunTask that brought it; in memory only, so empty for a task
    /// loaded from the store after a restart.
    /// </summary>
    public IReadOnlyList<ContainerSecret> Secrets { get; set; } = [];

    /// <summary>
    /// The trace its launch belongs to (the agent's run_task span, a child of the control plane's dispatch): the
    /// parent of its pull, create and start spans and of its reports. Default (none) when tracing is off or after a restart.
    /// </summary>
    public System.Diagnostics.ActivityContext Trace { get; set; }
    /// <summary>Its containers' registry logins (<c>repositoryCredentials</c>), from the RunTask; in memory only.</summary>
    public IReadOnlyList<ContainerRegistryLogin> RegistryLogins { get; set; } = [];
    /// <summary>Its containers' log driver secret options (<c>logConfiguration.secretOptions</c>), from the RunTask; in memory only.</summary>
    public IReadOnlyList<ContainerSecret> LogSecretOptions { get; set; } = [];

    /// <summary>The order its containers start and stop in.</summary>
    public DependencyGraph Graph { get; } = definition is null ? DependencyGraph.Empty : DependencyGraph.Of(definition);

    /// <summary>Containers with a Docker operation running.</summary>
    public HashSet<string> InFlight { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Containers Docker reported an event for (die, stop, oom, health) while an operation of theirs was running: the
    /// operation may have read the container before the event, so it is inspected again once the operation completes.
    /// </summary>
    public HashSet<string> EventsDuringOperation { get; } = new(StringComparer.Ordinal);

    /// <summary>Containers whose last operation failed, and when to try again.</summary>
    public Dictionary<string, DateTimeOffset> RetryAfter { get; } = new(StringComparer.Ordinal);

    /// <summary>Cancels image pulls once the task is to stop.</summary>
    public CancellationTokenSource PullCancellation { get; } = new();

    public bool CleaningUp { get; set; }

    /// <summary>When the engine looks at the task again on its own (a dependency's start timeout), and the timer for it.</summary>
    public DateTimeOffset? WakeAt { get; private set; }

    private ITimer? _wake;

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

    /// <summary>Arranges for <paramref name="wake"/> to run at <paramref name="at"/> (replacing any earlier arrangement); null cancels.</summary>
    public void WakeUpAt(DateTimeOffset? at, TimeProvider time, Action wake)
    {
        if (at == WakeAt)
        {
            return;
        }

        _wake?.Dispose();
        _wake = null;
        WakeAt = at;
        if (at is { } due)
        {
            var delay = due - time.GetUtcNow();
            _wake = time.CreateTimer(_ => wake(), null, delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        _wake?.Dispose();
        PullCancellation.Dispose();
    }
}
