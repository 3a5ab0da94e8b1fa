using System.Text.Json;

namespace Orchestrator.ControlPlane.State;

/// <summary>
/// A scheduled task (EventBridge Scheduler's schedule): <see cref="Definition"/> is the schedule as GetSchedule
/// answers it (the scheduler's JSON, kept as given), with what the runner keeps: the last time it fired (stored before
/// the tasks are asked for, so a restart never fires the same time twice) and the latest runs.
/// </summary>
public sealed record ScheduleRecord(string Arn, string Name, string GroupName, JsonElement Definition)
{
    /// <summary>The runs kept per schedule; older ones are dropped.</summary>
    public const int MaxHistory = 100;

    /// <summary>The scheduled time of the latest firing, whatever its outcome.</summary>
    public DateTimeOffset? LastFireTime { get; init; }

    /// <summary>The latest runs, oldest first, at most <see cref="MaxHistory"/>.</summary>
    public IReadOnlyList<ScheduleRun> History { get; init; } = [];

    public static string KeyOf(string groupName, string name) => $"{groupName}/{name}";

    public string Key => KeyOf(GroupName, Name);

    /// <summary>The record with <paramref name="run"/> added (or, for the same scheduled time, replaced), bounded.</summary>
    public ScheduleRecord WithRun(ScheduleRun run)
    {
        var runs = History.Where(r => r.ScheduledTime != run.ScheduledTime).Append(run).OrderBy(r => r.ScheduledTime).ToList();
        return this with { History = runs.Count > MaxHistory ? runs[^MaxHistory..] : runs };
    }
}

/// <summary>
/// One firing of a schedule: when it was due, when it ran, and its outcome — <c>PENDING</c> (stored before the tasks
/// are asked for), <c>SUCCEEDED</c>, <c>FAILED</c> (with the reason) or <c>SKIPPED</c> (missed for longer than the
/// retry policy's maximum event age while the control plane was down).
/// </summary>
public sealed record ScheduleRun
{
    public DateTimeOffset ScheduledTime { get; init; }
    public DateTimeOffset? RunTime { get; init; }
    public string Status { get; init; } = "PENDING";
    public IReadOnlyList<string>? TaskArns { get; init; }
    public string? Reason { get; init; }
}
