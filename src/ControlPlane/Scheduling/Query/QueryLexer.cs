namespace Orchestrator.ControlPlane.Scheduling.Query;

/// <summary>
/// Splits an expression into tokens. Bare literals run until whitespace or one of <c>()[],'=!&lt;&gt;&amp;|</c>;
/// anything else (spaces, parentheses in a regular expression) goes in single quotes, which have no escapes.
/// </summary>
internal static class QueryLexer
{
    public static List<QueryToken> Tokenize(string text)
    {
        var tokens = new List<QueryToken>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                tokens.Add(new QueryToken(TokenKind.End, "", i));
                return tokens;
            }

            var start = i;
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            (TokenKind Kind, int Length)? symbol = c switch
            {
                '(' => (TokenKind.OpenParen, 1),
                ')' => (TokenKind.CloseParen, 1),
                '[' => (TokenKind.OpenBracket, 1),
                ']' => (TokenKind.CloseBracket, 1),
                ',' => (TokenKind.Comma, 1),
                '=' when next == '=' => (TokenKind.Equal, 2),
                '=' when next == '~' => (TokenKind.Matches, 2),
                '!' when next == '=' => (TokenKind.NotEqual, 2),
                '!' when next == '~' => (TokenKind.NotMatches, 2),
                '!' => (TokenKind.Bang, 1),
                '>' when next == '=' => (TokenKind.GreaterOrEqual, 2),
                '>' => (TokenKind.Greater, 1),
                '<' when next == '=' => (TokenKind.LessOrEqual, 2),
                '<' => (TokenKind.Less, 1),
                '&' when next == '&' => (TokenKind.AndAnd, 2),
                '|' when next == '|' => (TokenKind.OrOr, 2),
                _ => null,
            };
            if (symbol is { } s)
            {
                tokens.Add(new QueryToken(s.Kind, text.Substring(i, s.Length), i));
                i += s.Length;
            }
            else if (c == '\'')
            {
                var close = text.IndexOf('\'', i + 1);
                if (close < 0)
                {
                    throw QueryError.At(i, "the quoted value is not closed with '");
                }

                tokens.Add(new QueryToken(TokenKind.Quoted, text[(i + 1)..close], i));
                i = close + 1;
            }
            else if (c is '=' or '&' or '|')
            {
                throw QueryError.At(i, c switch
                {
                    '=' => "unexpected '='; use == to compare or =~ to match",
                    '&' => "unexpected '&'; use && or and",
                    _ => "unexpected '|'; use || or or",
                });
            }
            else
            {
                while (i < text.Length && IsBare(text[i]))
                {
                    i++;
                }

                tokens.Add(new QueryToken(TokenKind.Word, text[start..i], start));
            }
        }
    }

    private static bool IsBare(char c) => !char.IsWhiteSpace(c) && c is not ('(' or ')' or '[' or ']' or ',' or '\'' or '=' or '!' or '<' or '>' or '&' or '|');
}
