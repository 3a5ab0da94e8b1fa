using System.Globalization;

namespace Orchestrator.ControlPlane.Schedules;

/// <summary>
/// An EventBridge Scheduler expression — <c>rate(N unit)</c>, <c>cron(min hour day-of-month month day-of-week year)</c>
/// or <c>at(yyyy-mm-ddThh:mm:ss)</c> — parsed, and the next time it fires after a given instant. Pure.
/// </summary>
public abstract record ScheduleExpression
{
    /// <summary>How far ahead a cron expression is searched (AWS's year field ends at 2199).</summary>
    private const int MaxSearchDays = 366 * 231;

    /// <summary>
    /// The first time strictly after <paramref name="after"/> the expression fires, in UTC, or null when it never
    /// fires again. <paramref name="anchor"/> is where a rate counts from (the start date, else the creation time).
    /// </summary>
    public abstract DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset anchor, TimeZoneInfo zone);

    /// <summary>Parses an expression; throws <see cref="FormatException"/> with a short reason when it is not valid.</summary>
    public static ScheduleExpression Parse(string? text)
    {
        var value = (text ?? "").Trim();
        if (value.StartsWith("rate(", StringComparison.Ordinal) && value.EndsWith(')'))
        {
            return Rate.Parse(value[5..^1]);
        }

        if (value.StartsWith("cron(", StringComparison.Ordinal) && value.EndsWith(')'))
        {
            return Cron.Parse(value[5..^1]);
        }

        if (value.StartsWith("at(", StringComparison.Ordinal) && value.EndsWith(')'))
        {
            return At.Parse(value[3..^1]);
        }

        throw new FormatException("ScheduleExpression must be rate(value unit), cron(minutes hours day-of-month month day-of-week year) or at(yyyy-mm-ddThh:mm:ss).");
    }

    /// <summary>Every <see cref="Interval"/>, counted from the anchor: it first fires one interval after it.</summary>
    public sealed record Rate(int Value, string Unit, TimeSpan Interval) : ScheduleExpression
    {
        internal static new Rate Parse(string body)
        {
            var parts = body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                throw new FormatException("rate() takes a positive whole number and a unit, such as rate(5 minutes).");
            }

            var unit = parts[1];
            var one = unit switch
            {
                "minute" or "minutes" => TimeSpan.FromMinutes(1),
                "hour" or "hours" => TimeSpan.FromHours(1),
                "day" or "days" => TimeSpan.FromDays(1),
                _ => throw new FormatException($"rate() unit must be minute(s), hour(s) or day(s), not '{Cut(unit)}'."),
            };
            if ((value == 1) != !unit.EndsWith('s'))
            {
                throw new FormatException(value == 1 ? $"rate(1 …) takes a singular unit: rate(1 {unit.TrimEnd('s')})." : $"rate({value} …) takes a plural unit: rate({value} {unit}s).");
            }

            return value > 100_000 ? throw new FormatException("rate() value is too large.") : new Rate(value, unit, one * value);
        }

        public override DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset anchor, TimeZoneInfo zone)
        {
            if (after < anchor)
            {
                return anchor + Interval;
            }

            var periods = (after - anchor).Ticks / Interval.Ticks + 1;
            return anchor + TimeSpan.FromTicks(periods * Interval.Ticks);
        }
    }

    /// <summary>Once, at a local time of the schedule's time zone.</summary>
    public sealed record At(DateTime Local) : ScheduleExpression
    {
        internal static new At Parse(string body)
        {
            return DateTime.TryParseExact(body, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
                ? new At(DateTime.SpecifyKind(local, DateTimeKind.Unspecified))
                : throw new FormatException("at() takes a date and time as yyyy-mm-ddThh:mm:ss, such as at(2026-12-31T23:00:00).");
        }

        public override DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset anchor, TimeZoneInfo zone)
        {
            var when = ToUtc(Local, zone);
            return when > after ? when : null;
        }
    }

    /// <summary>
    /// AWS's six-field cron: minutes, hours, day-of-month (<c>L</c>, <c>nW</c>), month (1-12 or JAN-DEC),
    /// day-of-week (1-7 or SUN-SAT, 1 = Sunday; <c>nL</c>, <c>n#k</c>) and year (1970-2199); one of the two day fields
    /// must be <c>?</c>.
    /// </summary>
    public sealed record Cron(
        string Text,
        bool[] Minutes,
        bool[] Hours,
        DayOfMonth Dom,
        bool[] Months,
        DayOfWeekRule Dow,
        bool[] Years) : ScheduleExpression
    {
        private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
        private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

        internal static new Cron Parse(string body)
        {
            var fields = body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 6)
            {
                throw new FormatException($"cron() takes 6 fields (minutes hours day-of-month month day-of-week year), not {fields.Length}.");
            }

            var domQ = fields[2] == "?";
            var dowQ = fields[4] == "?";
            if (domQ == dowQ)
            {
                throw new FormatException("cron(): one of day-of-month and day-of-week must be '?', and only one.");
            }

            return new Cron(
                body,
                Set(fields[0], 0, 59, null, "minutes"),
                Set(fields[1], 0, 23, null, "hours"),
                domQ ? new DayOfMonth(null, false, null) : ParseDom(fields[2]),
                Set(fields[3], 1, 12, MonthNames, "month"),
                dowQ ? new DayOfWeekRule(null, null, null) : ParseDow(fields[4]),
                Set(fields[5], 1970, 2199, null, "year"));
        }

        public override DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset anchor, TimeZoneInfo zone)
        {
            var localAfter = TimeZoneInfo.ConvertTime(after, zone).DateTime;
            var day = localAfter.Date;
            for (var i = 0; i < MaxSearchDays; i++, day = day.AddDays(1))
            {
                if (day.Year > 2199)
                {
                    return null;
                }

                if (!Years[day.Year] || !Months[day.Month] || !DayMatches(day))
                {
                    continue;
                }

                for (var hour = 0; hour < 24; hour++)
                {
                    if (!Hours[hour])
                    {
                        continue;
                    }

                    for (var minute = 0; minute < 60; minute++)
                    {
                        if (!Minutes[minute])
                        {
                            continue;
                        }

                        var local = day.AddHours(hour).AddMinutes(minute);
                        if (zone.IsInvalidTime(local))
                        {
                            continue; // skipped by a daylight-saving change
                        }

                        var utc = ToUtc(local, zone);
                        if (utc > after)
                        {
                            return utc;
                        }
                    }
                }
            }

            return null;
        }

        private bool DayMatches(DateTime day)
        {
            var last = DateTime.DaysInMonth(day.Year, day.Month);
            if (Dom.Days is { } days)
            {
                return days[day.Day];
            }

            if (Dom.Last)
            {
                return day.Day == last;
            }

            if (Dom.NearestWeekday is { } n)
            {
                return day.Day == NearestWeekday(day.Year, day.Month, Math.Min(n, last));
            }

            var dow = (int)day.DayOfWeek + 1; // 1 = Sunday
            if (Dow.Days is { } weekdays)
            {
                return weekdays[dow];
            }

            if (Dow.LastOf is { } lastOf)
            {
                return dow == lastOf && day.Day + 7 > last;
            }

            var (weekday, nth) = Dow.Nth!.Value;
            return dow == weekday && (day.Day - 1) / 7 + 1 == nth;
        }

        private static int NearestWeekday(int year, int month, int day)
        {
            var date = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified);
            return date.DayOfWeek switch
            {
                DayOfWeek.Saturday => day == 1 ? 3 : day - 1,
                DayOfWeek.Sunday => day == DateTime.DaysInMonth(year, month) ? day - 2 : day + 1,
                _ => day,
            };
        }

        private static DayOfMonth ParseDom(string field)
        {
            if (field == "L")
            {
                return new DayOfMonth(null, true, null);
            }

            if (field.EndsWith('W'))
            {
                return int.TryParse(field[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 31
                    ? new DayOfMonth(null, false, n)
                    : throw new FormatException($"cron() day-of-month '{Cut(field)}': W takes one day, such as 15W.");
            }

            if (field.Contains('L', StringComparison.Ordinal))
            {
                throw new FormatException($"cron() day-of-month '{Cut(field)}': L stands alone (the last day of the month).");
            }

            return new DayOfMonth(Set(field, 1, 31, null, "day-of-month"), false, null);
        }

        private static DayOfWeekRule ParseDow(string field)
        {
            if (field == "L")
            {
                return new DayOfWeekRule(Set("7", 1, 7, null, "day-of-week"), null, null); // alone, L is the last day of the week: Saturday
            }

            if (field.EndsWith('L'))
            {
                return new DayOfWeekRule(null, Value(field[..^1], 1, 7, DayNames, "day-of-week"), null);
            }

            if (field.Contains('#', StringComparison.Ordinal))
            {
                var parts = field.Split('#');
                if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var nth) || nth is < 1 or > 5)
                {
                    throw new FormatException($"cron() day-of-week '{Cut(field)}': # takes a day and a week from 1 to 5, such as 2#1.");
                }

                return new DayOfWeekRule(null, null, (Value(parts[0], 1, 7, DayNames, "day-of-week"), nth));
            }

            return new DayOfWeekRule(Set(field, 1, 7, DayNames, "day-of-week"), null, null);
        }

        /// <summary>A field of values, ranges, lists and increments (<c>*</c>, <c>5</c>, <c>1-5</c>, <c>0/15</c>, <c>1,3,5</c>).</summary>
        private static bool[] Set(string field, int min, int max, string[]? names, string what)
        {
            var set = new bool[max + 1];
            foreach (var item in field.Split(','))
            {
                var (range, step) = item.Split('/') switch
                {
                    [var r] => (r, 1),
                    [var r, var s] when int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max => (r, n),
                    _ => throw new FormatException($"cron() {what} '{Cut(item)}': an increment is value/step with a step from 1 to {max}."),
                };
                int from, to;
                if (range == "*")
                {
                    (from, to) = (min, max);
                }
                else if (range.Split('-') is [var a, var b])
                {
                    (from, to) = (Value(a, min, max, names, what), Value(b, min, max, names, what));
                    if (from > to)
                    {
                        throw new FormatException($"cron() {what} '{Cut(range)}': a range must go from low to high.");
                    }
                }
                else
                {
                    from = Value(range, min, max, names, what);
                    to = step > 1 ? max : from;
                }

                for (var v = from; v <= to; v += step)
                {
                    set[v] = true;
                }
            }

            return set;
        }

        private static int Value(string text, int min, int max, string[]? names, string what)
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            var index = names is null ? -1 : Array.IndexOf(names, text.ToUpperInvariant());
            if (index >= 0)
            {
                return index + min;
            }

            throw new FormatException(text is "L" or "W" or "?" || text.Contains('L', StringComparison.Ordinal) || text.Contains('W', StringComparison.Ordinal) || text.Contains('#', StringComparison.Ordinal)
                ? $"cron() {what} '{Cut(text)}': that wildcard is not allowed here."
                : $"cron() {what} '{Cut(text)}' is not a value from {min} to {max}{(names is null ? "" : $" or {names[0]}-{names[^1]}")}.");
        }
    }

    /// <summary>Day-of-month: a set of days, the last day (<c>L</c>), or the weekday nearest a day (<c>15W</c>); all null for <c>?</c>.</summary>
    public sealed record DayOfMonth(bool[]? Days, bool Last, int? NearestWeekday)
    {
        public bool Unspecified => Days is null && !Last && NearestWeekday is null;
    }

    /// <summary>Day-of-week (1 = Sunday): a set of days, the last given weekday of the month (<c>6L</c>), or the nth (<c>2#1</c>).</summary>
    public sealed record DayOfWeekRule(bool[]? Days, int? LastOf, (int Weekday, int Nth)? Nth);

    /// <summary>A local time of <paramref name="zone"/> in UTC; an ambiguous time (clocks going back) is its first occurrence.</summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // Inside a spring-forward gap: the same wall-clock reading one hour later exists.
            local = local.AddHours(1);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private static string Cut(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
