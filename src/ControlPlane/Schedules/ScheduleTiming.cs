using Orchestrator.ControlPlane.State;

namespace Orchestrator.ControlPlane.Schedules;

/// <summary>
/// When a stored schedule fires next: its expression in its time zone, within its start and end dates, after its last
/// firing and never before its latest change. Pure.
/// </summary>
public sealed record ScheduleTiming(ScheduleExpression Expression, TimeZoneInfo Zone, DateTimeOffset? Start, DateTimeOffset? End, DateTimeOffset Modified, TimeSpan MaxEventAge)
{
    /// <summary>EventBridge's default maximum event age (RetryPolicy.MaximumEventAgeInSeconds): 24 hours.</summary>
    public static readonly TimeSpan DefaultMaxEventAge = TimeSpan.FromHours(24);

    /// <summary>How many missed times are stepped over to find the latest one (a minute-rate schedule down for a day is 1440).</summary>
    private const int MaxSteps = 100_000;

    public static ScheduleTiming? Of(ScheduleOutput definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ScheduleExpression expression;
        try
        {
            expression = ScheduleExpression.Parse(definition.ScheduleExpression);
        }
        catch (FormatException)
        {
            return null;
        }

        var zone = FindZone(definition.ScheduleExpressionTimezone ?? "UTC");
        if (zone is null)
        {
            return null;
        }

        var age = definition.Target?.RetryPolicy?.MaximumEventAgeInSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultMaxEventAge;
        return new ScheduleTiming(expression, zone, definition.StartDate, definition.EndDate,
            definition.LastModificationDate ?? definition.CreationDate ?? DateTimeOffset.UnixEpoch, age);
    }

    public static TimeZoneInfo? FindZone(string id)
    {
        if (id is "UTC" or "Etc/UTC")
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Where a rate counts from: the start date, else the schedule's latest change.</summary>
    public DateTimeOffset Anchor => Start ?? Modified;

    /// <summary>The first time strictly after <paramref name="after"/> within the start and end dates, or null.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        if (Start is { } start && after < start)
        {
            after = start - TimeSpan.FromTicks(1);
        }

        var next = Expression.NextAfter(after, Anchor, Zone);
        return next is { } n && End is { } end && n > end ? null : next;
    }

    /// <summary>
    /// The time the schedule should fire next, seen at <paramref name="now"/>: in the future, or at or before now when
    /// it is due. Times missed (the control plane was down) are not backfilled: of those, only the latest within the
    /// maximum event age is due, once; older ones are dropped. Null when it never fires again.
    /// </summary>
    public DateTimeOffset? Due(ScheduleRecord record, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        var after = Max(Max(record.LastFireTime ?? DateTimeOffset.MinValue, Modified), now - MaxEventAge);
        if (Expression is ScheduleExpression.At)
        {
            // A one-time schedule fires once, even when it was changed after it fired.
            if (record.LastFireTime is not null)
            {
                return null;
            }

            after = Max(DateTimeOffset.MinValue, now - MaxEventAge);
        }

        var due = NextAfter(after);
        if (due is not { } first || first > now)
        {
            return due;
        }

        var latest = first;
        for (var step = 0; step < MaxSteps && NextAfter(latest) is { } next && next <= now; step++)
        {
            latest = next;
        }

        return latest;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
