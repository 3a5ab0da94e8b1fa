namespace Orchestrator.ControlPlane.Scheduling.Query;

internal enum TokenKind
{
    Word,
    Quoted,
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Matches,
    NotMatches,
    Bang,
    AndAnd,
    OrOr,
    OpenParen,
    CloseParen,
    OpenBracket,
    CloseBracket,
    Comma,
    End,
}

/// <summary>One token of an expression; <see cref="Position"/> is the 0-based index of its first character.</summary>
internal readonly record struct QueryToken(TokenKind Kind, string Text, int Position)
{
    public bool IsWord(string word) => Kind == TokenKind.Word && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);

    /// <summary>How the token reads in an error message.</summary>
    public string Display => Kind == TokenKind.End ? "the end of the expression" : $"'{Text}'";
}
