using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Security;

/// <summary>
/// A task role's permissions: an IAM JSON policy document reduced to this control plane's API. Statements have
/// <c>Effect</c> (Allow or Deny), <c>Action</c> (<c>ecs:ListTasks</c>, <c>ecs:Describe*</c>, <c>ecs:*</c>, <c>*</c>;
/// a string or a list; matched without regard to case, as IAM does) and <c>Resource</c> (ARN patterns with <c>*</c>
/// and <c>?</c>; a string or a list; matched with case). Evaluated as IAM does: an explicit Deny that matches wins,
/// else an Allow that matches allows, else the call is denied. What would widen or narrow a policy in ways this
/// reduction cannot honour (<c>NotAction</c>, <c>NotResource</c>, <c>Condition</c>, <c>Principal</c>) is refused
/// when the role is created, never ignored.
/// </summary>
public sealed partial class RolePolicy
{
    public const int MaxDocumentLength = 10240;
    public const int MaxStatements = 100;

    private static readonly HashSet<string> StatementMembers = ["Sid", "Effect", "Action", "Resource"];

    private RolePolicy(IReadOnlyList<Statement> statements) => Statements = statements;

    public IReadOnlyList<Statement> Statements { get; }

    /// <summary>One statement: whether it allows, and its action and resource patterns.</summary>
    public sealed record Statement(bool Allow, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources);

    /// <summary>
    /// Reads a policy document; throws <see cref="FormatException"/> with a short reason (IAM's
    /// MalformedPolicyDocument) when it is not one this reduction can honour.
    /// </summary>
    public static RolePolicy Parse(string? document)
    {
        if (string.IsNullOrWhiteSpace(document))
        {
            throw new FormatException("The policy document is empty.");
        }

        if (document.Length > MaxDocumentLength)
        {
            throw new FormatException($"The policy document is longer than {MaxDocumentLength} characters.");
        }

        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(document, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"The policy document is not JSON: {EcsText.Cut(e.Message, 120)}");
        }

        using (parsed)
        {
            var root = parsed.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("The policy document must be a JSON object with a Statement.");
            }

            foreach (var member in root.EnumerateObject())
            {
                if (member.Name is not ("Version" or "Id" or "Statement"))
                {
                    throw new FormatException($"Policy document member {EcsText.Cut(member.Name, 40)} is not supported (Version, Id and Statement are).");
                }
            }

            if (root.TryGetProperty("Version", out var version) && (version.ValueKind != JsonValueKind.String || version.GetString() is not ("2012-10-17" or "2008-10-17")))
            {
                throw new FormatException("Version must be 2012-10-17 (or 2008-10-17).");
            }

            if (!root.TryGetProperty("Statement", out var statement))
            {
                throw new FormatException("The policy document has no Statement.");
            }

            var elements = statement.ValueKind == JsonValueKind.Array ? statement.EnumerateArray().ToList() : [statement];
            if (elements.Count is 0 or > MaxStatements)
            {
                throw new FormatException($"A policy has 1 to {MaxStatements} statements.");
            }

            return new RolePolicy([.. elements.Select(ParseStatement)]);
        }
    }

    private static Statement ParseStatement(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("Each statement must be a JSON object.");
        }

        foreach (var member in element.EnumerateObject())
        {
            if (!StatementMembers.Contains(member.Name))
            {
                throw new FormatException(
                    $"Statement member {EcsText.Cut(member.Name, 40)} is not supported: statements have Sid, Effect, Action and Resource only.");
            }
        }

        var allow = element.TryGetProperty("Effect", out var effect) && effect.ValueKind == JsonValueKind.String
            ? effect.GetString() switch
            {
                "Allow" => true,
                "Deny" => false,
                _ => throw new FormatException("Effect must be Allow or Deny."),
            }
            : throw new FormatException("Each statement needs an Effect (Allow or Deny).");
        var actions = Strings(element, "Action");
        foreach (var action in actions)
        {
            if (action != "*" && !ActionPattern().IsMatch(action))
            {
                throw new FormatException($"Action {EcsText.Cut(action, 80)} is not valid: SERVICE:ACTION, e.g. ecs:ListTasks or ecs:Describe*.");
            }
        }

        var resources = Strings(element, "Resource");
        foreach (var resource in resources)
        {
            if (resource != "*" && !resource.StartsWith("arn:", StringComparison.Ordinal))
            {
                throw new FormatException($"Resource {EcsText.Cut(resource, 80)} must be * or an ARN (wildcards allowed).");
            }
        }

        return new Statement(allow, actions, resources);
    }

    private static List<string> Strings(JsonElement statement, string name)
    {
        if (!statement.TryGetProperty(name, out var value))
        {
            throw new FormatException($"Each statement needs {name}.");
        }

        var values = value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) =>
                value.EnumerateArray().Select(v => v.GetString()!).ToList(),
            _ => throw new FormatException($"{name} must be a string or a list of strings."),
        };
        if (values.Count is 0 or > 100 || values.Any(v => v.Length is 0 or > 2048))
        {
            throw new FormatException($"{name} must hold 1 to 100 non-empty values.");
        }

        return values;
    }

    /// <summary>
    /// IAM's decision for one action on one resource (<c>*</c> for an action on no particular resource): an explicit
    /// Deny wins, then an Allow, else denied.
    /// </summary>
    public bool Allows(string action, string resource)
    {
        var allowed = false;
        foreach (var statement in Statements)
        {
            if (!statement.Actions.Any(a => Matches(a, action, ignoreCase: true)) || !statement.Resources.Any(r => Matches(r, resource, ignoreCase: false)))
            {
                continue;
            }

            if (!statement.Allow)
            {
                return false;
            }

            allowed = true;
        }

        return allowed;
    }

    /// <summary>Whether every resource is allowed (a call naming several resources needs each).</summary>
    public bool AllowsAll(string action, IReadOnlyCollection<string> resources) => resources.Count > 0 && resources.All(r => Allows(action, r));

    /// <summary>IAM's wildcard match: <c>*</c> any run of characters (also none), <c>?</c> any one character.</summary>
    public static bool Matches(string pattern, string value, bool ignoreCase)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(value);
        int p = 0, v = 0, star = -1, mark = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || Same(pattern[p], value[v], ignoreCase)))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++mark;
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

    private static bool Same(char a, char b, bool ignoreCase) => ignoreCase ? char.ToLowerInvariant(a) == char.ToLowerInvariant(b) : a == b;

    [GeneratedRegex(@"^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$")]
    private static partial Regex ActionPattern();
}
