using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// The AWS CLI's shorthand for small structures: <c>type=memberOf,expression="attribute:zone in [a, b]"</c>. Values
/// may be double-quoted (then they may hold commas); an unquoted value runs to the next <c>,key=</c> of a known key.
/// </summary>
internal static class Shorthand
{
    public static IReadOnlyDictionary<string, string> Parse(string text, IReadOnlyCollection<string> keys)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var position = 0;
        while (position < text.Length)
        {
            var equals = text.IndexOf('=', position);
            if (equals < 0)
            {
                throw new FormatException($"expected key=value at '{text[position..]}'");
            }

            var key = text[position..equals].Trim();
            if (!keys.Contains(key))
            {
                throw new FormatException($"unknown key '{key}' (expected {string.Join(", ", keys)})");
            }

            position = equals + 1;
            string value;
            if (position < text.Length && text[position] == '"')
            {
                var close = text.IndexOf('"', position + 1);
                if (close < 0)
                {
                    throw new FormatException($"the value of {key} has no closing quote");
                }

                value = text[(position + 1)..close];
                position = close + 1;
            }
            else
            {
                var next = keys.Select(k => text.IndexOf("," + k + "=", position, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(text.Length).Min();
                value = text[position..next];
                position = next;
            }

            values[key] = value.Trim();
            if (position < text.Length && text[position] == ',')
            {
                position++;
            }
        }

        return values;
    }

    /// <summary>A repeatable option whose values are shorthand structures made into <typeparamref name="T"/>.</summary>
    public static Option<T[]> Option<T>(string name, string description, string[] keys, Func<IReadOnlyDictionary<string, string>, T> make) => new(name)
    {
        Description = description,
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
        CustomParser = result =>
        {
            var items = new List<T>();
            foreach (var token in result.Tokens)
            {
                try
                {
                    items.Add(make(Parse(token.Value, keys)));
                }
                catch (FormatException e)
                {
                    result.AddError($"{name} '{token.Value}': {e.Message}.");
                }
            }

            return [.. items];
        },
    };
}
