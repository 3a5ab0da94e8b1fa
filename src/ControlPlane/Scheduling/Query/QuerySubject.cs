namespace Orchestrator.ControlPlane.Scheduling.Query;

internal enum SubjectKind
{
    AgentConnected,
    AgentVersion,
    Attribute,
    Ec2InstanceId,
    RegisteredAt,
    RunningTasksCount,
    TaskGroup,
}

/// <summary>What a comparison looks at on an instance, and which operators ECS allows with it.</summary>
internal sealed record QuerySubject(SubjectKind Kind, string Text, string? AttributeName = null)
{
    public const string Known =
        "agentConnected, agentVersion, attribute:<name>, ec2InstanceId, registeredAt, runningTasksCount and task:group";

    private const int MaxAttributeName = 128;

    /// <summary>Subjects whose value changes as this request places tasks; the rest are evaluated once per instance.</summary>
    public bool IsDynamic => Kind is SubjectKind.RunningTasksCount or SubjectKind.TaskGroup;

    public static QuerySubject Parse(QueryToken token)
    {
        var text = token.Text;
        if (token.Kind == TokenKind.Word && text.StartsWith("attribute:", StringComparison.Ordinal))
        {
            var name = text["attribute:".Length..];
            if (name.Length is 0 or > MaxAttributeName || !name.All(IsAttributeNameChar))
            {
                throw QueryError.At(token.Position + "attribute:".Length,
                    $"'{name}' is not an attribute name (1 to {MaxAttributeName} letters, digits and - _ / \\ .)");
            }

            return new QuerySubject(SubjectKind.Attribute, text, name);
        }

        SubjectKind? kind = token.Kind != TokenKind.Word ? null : text switch
        {
            "agentConnected" => SubjectKind.AgentConnected,
            "agentVersion" => SubjectKind.AgentVersion,
            "ec2InstanceId" => SubjectKind.Ec2InstanceId,
            "registeredAt" => SubjectKind.RegisteredAt,
            "runningTasksCount" => SubjectKind.RunningTasksCount,
            "task:group" => SubjectKind.TaskGroup,
            _ => null,
        };
        return kind is { } k
            ? new QuerySubject(k, text)
            : throw QueryError.At(token, token.Kind == TokenKind.Word
                ? $"unknown subject {token.Display}; subjects are {Known}"
                : $"expected a subject ({Known}), found {token.Display}");
    }

    /// <summary>ECS's table of operators per subject; attributes take them all.</summary>
    public bool Allows(QueryOperator op) => Kind switch
    {
        SubjectKind.Attribute => true,
        SubjectKind.AgentVersion or SubjectKind.RunningTasksCount or SubjectKind.RegisteredAt =>
            op is QueryOperator.Equal or QueryOperator.NotEqual || op.IsOrdering(),
        _ => op is QueryOperator.Equal or QueryOperator.NotEqual or QueryOperator.In or QueryOperator.NotIn
            or QueryOperator.Matches or QueryOperator.NotMatches,
    };

    public string AllowedOperators => Kind switch
    {
        SubjectKind.Attribute => "any operator",
        SubjectKind.AgentVersion or SubjectKind.RunningTasksCount or SubjectKind.RegisteredAt => "==, !=, >, >=, < or <=",
        _ => "==, !=, in, !in, =~ or !~",
    };

    private static bool IsAttributeNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '/' or '\\' or '.';
}
