namespace Orchestrator.ControlPlane.Scheduling.Query;

internal enum QueryOperator
{
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Exists,
    NotExists,
    In,
    NotIn,
    Matches,
    NotMatches,
}

/// <summary>The symbol and word spellings of the operators, and what each expects after it.</summary>
internal static class QueryOperators
{
    private static readonly Dictionary<string, QueryOperator> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        ["equals"] = QueryOperator.Equal,
        ["not_equals"] = QueryOperator.NotEqual,
        ["greater_than"] = QueryOperator.Greater,
        ["greater_than_equal"] = QueryOperator.GreaterOrEqual,
        ["less_than"] = QueryOperator.Less,
        ["less_than_equal"] = QueryOperator.LessOrEqual,
        ["exists"] = QueryOperator.Exists,
        ["not_exists"] = QueryOperator.NotExists,
        ["in"] = QueryOperator.In,
        ["not_in"] = QueryOperator.NotIn,
        ["matches"] = QueryOperator.Matches,
        ["not_matches"] = QueryOperator.NotMatches,
    };

    public static QueryOperator? FromSymbol(TokenKind kind) => kind switch
    {
        TokenKind.Equal => QueryOperator.Equal,
        TokenKind.NotEqual => QueryOperator.NotEqual,
        TokenKind.Greater => QueryOperator.Greater,
        TokenKind.GreaterOrEqual => QueryOperator.GreaterOrEqual,
        TokenKind.Less => QueryOperator.Less,
        TokenKind.LessOrEqual => QueryOperator.LessOrEqual,
        TokenKind.Matches => QueryOperator.Matches,
        TokenKind.NotMatches => QueryOperator.NotMatches,
        _ => null,
    };

    public static QueryOperator? FromWord(string word) => Words.TryGetValue(word, out var op) ? op : null;

    public static string Symbol(this QueryOperator op) => op switch
    {
        QueryOperator.Equal => "==",
        QueryOperator.NotEqual => "!=",
        QueryOperator.Greater => ">",
        QueryOperator.GreaterOrEqual => ">=",
        QueryOperator.Less => "<",
        QueryOperator.LessOrEqual => "<=",
        QueryOperator.Exists => "exists",
        QueryOperator.NotExists => "!exists",
        QueryOperator.In => "in",
        QueryOperator.NotIn => "!in",
        QueryOperator.Matches => "=~",
        _ => "!~",
    };

    /// <summary>The operator that holds exactly when this one does not.</summary>
    public static QueryOperator Positive(this QueryOperator op) => op switch
    {
        QueryOperator.NotEqual => QueryOperator.Equal,
        QueryOperator.NotExists => QueryOperator.Exists,
        QueryOperator.NotIn => QueryOperator.In,
        QueryOperator.NotMatches => QueryOperator.Matches,
        _ => op,
    };

    public static bool IsNegated(this QueryOperator op) => op != op.Positive();

    public static bool IsOrdering(this QueryOperator op) =>
        op is QueryOperator.Greater or QueryOperator.GreaterOrEqual or QueryOperator.Less or QueryOperator.LessOrEqual;

    public static bool TakesList(this QueryOperator op) => op is QueryOperator.In or QueryOperator.NotIn;

    public static bool TakesNoValue(this QueryOperator op) => op is QueryOperator.Exists or QueryOperator.NotExists;

    /// <summary>Whether a comparison result (negative, zero, positive) satisfies an ordering operator.</summary>
    public static bool Accepts(this QueryOperator op, int comparison) => op switch
    {
        QueryOperator.Greater => comparison > 0,
        QueryOperator.GreaterOrEqual => comparison >= 0,
        QueryOperator.Less => comparison < 0,
        QueryOperator.LessOrEqual => comparison <= 0,
        QueryOperator.NotEqual => comparison != 0,
        _ => comparison == 0,
    };
}
