namespace Orchestrator.Ecs;

/// <summary>How error messages and logs show a value a caller sent: never whole, since it may be 100 KB.</summary>
public static partial class EcsText
{
    /// <summary>The longest part of a caller's value an error message or log line repeats.</summary>
    public const int EchoLength = 64;

    /// <summary>The value cut to <paramref name="max"/> characters with "…", never splitting a surrogate pair.</summary>
    public static string Cut(string? value, int max = EchoLength)
    {
        if (value is null || value.Length <= max)
        {
            return value ?? "";
        }

        var end = char.IsHighSurrogate(value[max - 1]) ? max - 1 : max;
        return string.Concat(value.AsSpan(0, end), "…");
    }

    /// <summary>The text with each lone surrogate (which no JSON writer accepts) replaced by U+FFFD.</summary>
    public static string WellFormed(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return value;
        }

        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }

    /// <summary>
    /// A message with each quoted value (<c>'…'</c>, as ECS's messages quote what was sent) cut to
    /// <see cref="EchoLength"/> characters, and the whole cut to <paramref name="max"/>: the last line of defence
    /// against a message that repeats a caller's 100 KB value.
    /// </summary>
    public static string CutQuoted(string message, int max = 1000)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Length <= EchoLength)
        {
            return message;
        }

        var cut = Quoted().Replace(message, m => $"'{Cut(m.Groups[1].Value)}'");
        return Cut(cut, max);
    }

    [System.Text.RegularExpressions.GeneratedRegex("'([^']{65,})'")]
    private static partial System.Text.RegularExpressions.Regex Quoted();
}
