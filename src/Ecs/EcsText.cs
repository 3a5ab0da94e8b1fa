namespace Orchestrator.Ecs;

/// <summary>How error messages and logs show a value a caller sent: never whole, since it may be 100 KB.</summary>
public static class EcsText
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
}
