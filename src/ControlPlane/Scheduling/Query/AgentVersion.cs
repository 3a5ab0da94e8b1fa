using System.Globalization;

namespace Orchestrator.ControlPlane.Scheduling.Query;

/// <summary>
/// A dotted version such as <c>1.14.5</c>, compared part by part as numbers (<c>1.9 &lt; 1.10</c>, <c>1.2 == 1.2.0</c>).
/// A leading <c>v</c> and anything after the numeric parts (<c>-beta</c>) are ignored.
/// </summary>
internal readonly record struct AgentVersion(long Major, long Minor, long Patch, long Build) : IComparable<AgentVersion>
{
    public static bool TryParse(string? text, out AgentVersion version)
    {
        version = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var span = text.AsSpan();
        if (span[0] is 'v' or 'V')
        {
            span = span[1..];
        }

        Span<long> parts = stackalloc long[4];
        var count = 0;
        while (count < 4)
        {
            var digits = 0;
            while (digits < span.Length && char.IsAsciiDigit(span[digits]))
            {
                digits++;
            }

            if (digits == 0 || !long.TryParse(span[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out parts[count]))
            {
                return false;
            }

            count++;
            span = span[digits..];
            if (span.Length < 2 || span[0] != '.' || !char.IsAsciiDigit(span[1]))
            {
                break;
            }

            span = span[1..];
        }

        version = new AgentVersion(parts[0], parts[1], parts[2], parts[3]);
        return true;
    }

    public int CompareTo(AgentVersion other)
    {
        var c = Major.CompareTo(other.Major);
        c = c != 0 ? c : Minor.CompareTo(other.Minor);
        c = c != 0 ? c : Patch.CompareTo(other.Patch);
        return c != 0 ? c : Build.CompareTo(other.Build);
    }
}
