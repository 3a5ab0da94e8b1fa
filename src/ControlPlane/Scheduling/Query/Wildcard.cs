namespace Orchestrator.ControlPlane.Scheduling.Query;

/// <summary>ECS's <c>*</c> wildcard in == and in: any run of characters; everything else compares exactly.</summary>
internal static class Wildcard
{
    public static bool IsMatch(string pattern, string value)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(pattern, value, StringComparison.Ordinal);
        }

        // Greedy with one backtrack point: the classic linear-time glob match for a single kind of wildcard.
        int p = 0, v = 0, star = -1, resume = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = v;
            }
            else if (p < pattern.Length && pattern[p] == value[v])
            {
                p++;
                v++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
