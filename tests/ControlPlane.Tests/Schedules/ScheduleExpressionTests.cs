using System.Globalization;
using Orchestrator.ControlPlane.Schedules;

namespace Orchestrator.ControlPlane.Tests.Schedules;

/// <summary>EventBridge Scheduler's rate(), cron() and at() expressions: parsing with AWS's rules, and the next fire time.</summary>
public sealed class ScheduleExpressionTests
{
    private static readonly DateTimeOffset Anchor = T("2026-11-30T12:00:00Z");

    private static DateTimeOffset T(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static DateTimeOffset? Next(string expression, string after, string zone = "UTC") =>
        ScheduleExpression.Parse(expression).NextAfter(T(after), Anchor, ScheduleTiming.FindZone(zone)!);

    [Theory]
    [InlineData("rate(1 minute)", 60)]
    [InlineData("rate(5 minutes)", 300)]
    [InlineData("rate(1 hour)", 3600)]
    [InlineData("rate(12 hours)", 43200)]
    [InlineData("rate(1 day)", 86400)]
    [InlineData("rate(3 days)", 259200)]
    public void Rate_Parses_ToItsInterval(string expression, int seconds)
    {
        var rate = Assert.IsType<ScheduleExpression.Rate>(ScheduleExpression.Parse(expression));

        Assert.Equal(TimeSpan.FromSeconds(seconds), rate.Interval);
    }

    [Theory]
    [InlineData("rate(1 minutes)", "singular unit")]
    [InlineData("rate(5 minute)", "plural unit")]
    [InlineData("rate(0 minutes)", "positive whole number")]
    [InlineData("rate(-1 minutes)", "positive whole number")]
    [InlineData("rate(1.5 hours)", "positive whole number")]
    [InlineData("rate(2 weeks)", "unit must be minute(s), hour(s) or day(s)")]
    [InlineData("rate(5)", "positive whole number")]
    [InlineData("rate(5 minutes", "ScheduleExpression must be")]
    [InlineData("every 5 minutes", "ScheduleExpression must be")]
    [InlineData("", "ScheduleExpression must be")]
    public void Rate_Malformed_IsRefusedWithAReason(string expression, string reason)
    {
        var error = Assert.Throws<FormatException>(() => ScheduleExpression.Parse(expression));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-30T12:00:00Z", "2026-11-30T12:01:00Z")] // at the anchor: one interval later
    [InlineData("2026-11-30T12:00:59Z", "2026-11-30T12:01:00Z")]
    [InlineData("2026-11-30T12:01:00Z", "2026-11-30T12:02:00Z")] // strictly after
    [InlineData("2026-11-30T13:30:30Z", "2026-11-30T13:31:00Z")]
    [InlineData("2026-11-30T11:00:00Z", "2026-11-30T12:01:00Z")] // before the anchor
    public void Rate_NextAfter_CountsWholeIntervalsFromTheAnchor(string after, string expected)
    {
        Assert.Equal(T(expected), Next("rate(1 minute)", after));
    }

    [Theory]
    [InlineData("cron(0 12 * * ? *)", "2026-11-30T12:00:00Z", "2026-12-01T12:00:00Z")]
    [InlineData("cron(0/15 * * * ? *)", "2026-11-30T12:07:00Z", "2026-11-30T12:15:00Z")]
    [InlineData("cron(5-10/5 * * * ? *)", "2026-11-30T12:06:00Z", "2026-11-30T12:10:00Z")]
    [InlineData("cron(0,30 9 * * ? *)", "2026-11-30T09:00:00Z", "2026-11-30T09:30:00Z")]
    [InlineData("cron(0 8 ? * MON-FRI *)", "2026-12-05T09:00:00Z", "2026-12-07T08:00:00Z")] // Saturday → Monday
    [InlineData("cron(0 8 ? * 2-6 *)", "2026-12-05T09:00:00Z", "2026-12-07T08:00:00Z")] // 1 = Sunday
    [InlineData("cron(0 8 ? * SUN *)", "2026-12-05T09:00:00Z", "2026-12-06T08:00:00Z")]
    [InlineData("cron(0 0 1 JAN ? *)", "2026-11-30T12:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("cron(0 12 1 1 ? 2028)", "2026-11-30T12:00:00Z", "2028-01-01T12:00:00Z")]
    [InlineData("cron(0 0 L * ? *)", "2026-02-10T00:00:00Z", "2026-02-28T00:00:00Z")]
    [InlineData("cron(0 9 15W * ? *)", "2026-08-01T00:00:00Z", "2026-08-14T09:00:00Z")] // the 15th is a Saturday → Friday 14th
    [InlineData("cron(0 9 1W * ? *)", "2026-07-31T12:00:00Z", "2026-08-03T09:00:00Z")] // the 1st is a Saturday → Monday 3rd
    [InlineData("cron(0 10 ? * 6#3 *)", "2026-12-01T00:00:00Z", "2026-12-18T10:00:00Z")] // third Friday
    [InlineData("cron(0 10 ? * 2L *)", "2026-12-01T00:00:00Z", "2026-12-28T10:00:00Z")] // last Monday
    [InlineData("cron(0 10 ? * L *)", "2026-12-06T00:00:00Z", "2026-12-12T10:00:00Z")] // L alone: every Saturday
    [InlineData("cron(0 0 29 2 ? *)", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    public void Cron_NextAfter_FollowsAwsRules(string expression, string after, string expected)
    {
        Assert.Equal(T(expected), Next(expression, after));
    }

    [Fact]
    public void Cron_YearInThePast_NeverFiresAgain()
    {
        Assert.Null(Next("cron(0 12 1 1 ? 2025)", "2026-11-30T12:00:00Z"));
    }

    [Theory]
    [InlineData("2026-11-30T00:00:00Z", "2026-11-30T08:00:00Z")] // winter: UTC+1
    [InlineData("2026-07-01T00:00:00Z", "2026-07-01T07:00:00Z")] // summer: UTC+2
    public void Cron_InATimeZone_FiresAtItsLocalTime(string after, string expected)
    {
        Assert.Equal(T(expected), Next("cron(0 9 * * ? *)", after, "Europe/Paris"));
    }

    [Fact]
    public void Cron_LocalTimeSkippedByDaylightSaving_IsSkipped()
    {
        // 2027-03-28 02:30 does not exist in Paris (02:00 → 03:00): the next run is the day after, 02:30 CEST.
        Assert.Equal(T("2027-03-29T00:30:00Z"), Next("cron(30 2 * * ? *)", "2027-03-27T12:00:00Z", "Europe/Paris"));
    }

    [Theory]
    [InlineData("cron(0 12 * * *)", "6 fields")]
    [InlineData("cron(0 12 * * ? * *)", "6 fields")]
    [InlineData("cron(0 12 * * * *)", "must be '?'")]
    [InlineData("cron(0 12 ? * ? *)", "must be '?'")]
    [InlineData("cron(60 12 * * ? *)", "not a value from 0 to 59")]
    [InlineData("cron(0 24 * * ? *)", "not a value from 0 to 23")]
    [InlineData("cron(0 12 32 * ? *)", "not a value from 1 to 31")]
    [InlineData("cron(0 12 * 13 ? *)", "not a value from 1 to 12 or JAN-DEC")]
    [InlineData("cron(0 12 ? * 8 *)", "not a value from 1 to 7 or SUN-SAT")]
    [InlineData("cron(0 12 * * ? 1969)", "not a value from 1970 to 2199")]
    [InlineData("cron(0 12 ? * FRI-MON *)", "from low to high")]
    [InlineData("cron(*/0 12 * * ? *)", "increment")]
    [InlineData("cron(0 12 ? * 2#6 *)", "week from 1 to 5")]
    [InlineData("cron(0 12 LW * ? *)", "W takes one day")]
    [InlineData("cron(0 12 L-2 * ? *)", "L stands alone")]
    [InlineData("cron(L 12 * * ? *)", "wildcard is not allowed here")]
    [InlineData("cron(0 12 ? * 2#1,3 *)", "week from 1 to 5")]
    public void Cron_Malformed_IsRefusedWithAReason(string expression, string reason)
    {
        var error = Assert.Throws<FormatException>(() => ScheduleExpression.Parse(expression));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void At_FiresOnceAtItsLocalTime()
    {
        Assert.Equal(T("2026-12-24T17:00:00Z"), Next("at(2026-12-24T18:00:00)", "2026-11-30T12:00:00Z", "Europe/Paris"));
        Assert.Null(Next("at(2026-12-24T18:00:00)", "2026-12-24T17:00:00Z", "Europe/Paris"));
    }

    [Theory]
    [InlineData("at(2026-12-24 18:00:00)")]
    [InlineData("at(2026-02-30T18:00:00)")]
    [InlineData("at(2026-12-24T18:00)")]
    [InlineData("at(tomorrow)")]
    public void At_Malformed_IsRefused(string expression)
    {
        var error = Assert.Throws<FormatException>(() => ScheduleExpression.Parse(expression));

        Assert.Contains("yyyy-mm-ddThh:mm:ss", error.Message, StringComparison.Ordinal);
    }
}
