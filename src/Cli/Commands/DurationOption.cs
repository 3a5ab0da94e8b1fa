using System.CommandLine;
using System.CommandLine.Parsing;

namespace Orchestrator.Cli.Commands;

/// <summary>An option that takes a duration as people type it (<c>90s</c>, <c>5m</c>, <c>1h30m</c>).</summary>
internal static class DurationOption
{
    public static Option<TimeSpan?> Create(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        CustomParser = Parse,
    };

    private static TimeSpan? Parse(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = result.Tokens[0].Value;
        if (Duration.TryParse(text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        result.AddError($"'{text}' is not a duration such as 90s, 5m or 1h30m.");
        return default;
    }
}
