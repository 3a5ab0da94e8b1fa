using System.Text.RegularExpressions;

namespace Orchestrator.ControlPlane.Scheduling.Query;

/// <summary>The =~ and !~ operand: Java-style regular expressions, matched against the whole value.</summary>
internal static class FullMatchRegex
{
    /// <summary>
    /// A full-match regular expression. The non-backtracking engine keeps matching linear in the input, so an
    /// expression cannot stall placement; it lacks lookarounds and backreferences, which are refused here.
    /// </summary>
    public static Regex Compile(QueryToken literal)
    {
        try
        {
            return new Regex($"^(?:{literal.Text})$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            throw QueryError.At(literal, $"the regular expression {literal.Display} uses lookarounds, backreferences or another construct that is not supported");
        }
        catch (ArgumentException e)
        {
            throw QueryError.At(literal, $"{literal.Display} is not a valid regular expression ({e.Message.TrimEnd('.')})");
        }
    }
}
