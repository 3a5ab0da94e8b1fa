namespace Orchestrator.ControlPlane.Scheduling.Query;

/// <summary>
/// Recursive descent over ECS's cluster query language. Precedence, loosest first: <c>or</c>/<c>||</c>,
/// <c>and</c>/<c>&amp;&amp;</c>, <c>not</c>/<c>!</c>; parentheses group. Keywords and operator words are
/// case-insensitive; subjects are not.
/// </summary>
internal sealed class QueryParser
{
    private readonly List<QueryToken> _tokens;
    private int _next;

    private QueryParser(string text) => _tokens = QueryLexer.Tokenize(text);

    public static QueryNode Parse(string text)
    {
        var parser = new QueryParser(text);
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw QueryError.At(0, "the expression is empty");
        }

        var root = parser.ParseOr();
        var rest = parser.Peek;
        return rest.Kind == TokenKind.End
            ? root
            : throw QueryError.At(rest, rest.Kind == TokenKind.CloseParen
                ? "')' has no matching '('"
                : $"expected 'and', 'or' or the end of the expression, found {rest.Display}");
    }

    private QueryToken Peek => _tokens[_next];

    /// <summary>The next token; the end token is never passed, so reading past it keeps returning it.</summary>
    private QueryToken Take()
    {
        var token = _tokens[_next];
        if (token.Kind != TokenKind.End)
        {
            _next++;
        }

        return token;
    }

    private QueryNode ParseOr()
    {
        var left = ParseAnd();
        while (Peek.Kind == TokenKind.OrOr || Peek.IsWord("or"))
        {
            Take();
            left = new OrNode(left, ParseAnd());
        }

        return left;
    }

    private QueryNode ParseAnd()
    {
        var left = ParseUnary();
        while (Peek.Kind == TokenKind.AndAnd || Peek.IsWord("and"))
        {
            Take();
            left = new AndNode(left, ParseUnary());
        }

        return left;
    }

    private QueryNode ParseUnary()
    {
        var token = Peek;
        if (token.Kind == TokenKind.Bang || token.IsWord("not"))
        {
            Take();
            return new NotNode(ParseUnary());
        }

        if (token.Kind == TokenKind.OpenParen)
        {
            Take();
            var inner = ParseOr();
            return Peek.Kind == TokenKind.CloseParen
                ? Consume(inner)
                : throw QueryError.At(Peek, $"expected ')' to close the '(' at character {token.Position + 1}, found {Peek.Display}");
        }

        return ParseComparison();
    }

    private QueryNode Consume(QueryNode node)
    {
        Take();
        return node;
    }

    private Comparison ParseComparison()
    {
        var subjectToken = Take();
        var subject = QuerySubject.Parse(subjectToken);
        var opToken = Peek;
        var op = ParseOperator(subjectToken);
        if (!subject.Allows(op))
        {
            throw QueryError.At(opToken, $"{subject.Text} cannot be compared with {op.Symbol()}; use {subject.AllowedOperators}");
        }

        if (op.TakesNoValue())
        {
            return new Comparison(subject, op, []);
        }

        if (op.TakesList())
        {
            return new Comparison(subject, op, ParseList(opToken));
        }

        var value = Take();
        return value.Kind is TokenKind.Word or TokenKind.Quoted
            ? new Comparison(subject, op, [value])
            : throw QueryError.At(value, $"expected a value after {opToken.Display}, found {value.Display}");
    }

    private QueryOperator ParseOperator(QueryToken subject)
    {
        var token = Take();
        if (QueryOperators.FromSymbol(token.Kind) is { } symbol)
        {
            return symbol;
        }

        if (token.Kind == TokenKind.Bang && (Peek.IsWord("exists") || Peek.IsWord("in")))
        {
            return Take().IsWord("in") ? QueryOperator.NotIn : QueryOperator.NotExists;
        }

        return token.Kind == TokenKind.Word && QueryOperators.FromWord(token.Text) is { } word
            ? word
            : throw QueryError.At(token, token.Kind is TokenKind.End or TokenKind.CloseParen or TokenKind.AndAnd or TokenKind.OrOr
                ? $"expected an operator after '{subject.Text}'"
                : $"expected an operator after '{subject.Text}', found {token.Display}");
    }

    /// <summary><c>[a, b]</c> or <c>(a, b)</c>.</summary>
    private List<QueryToken> ParseList(QueryToken op)
    {
        var open = Take();
        if (open.Kind is not (TokenKind.OpenBracket or TokenKind.OpenParen))
        {
            throw QueryError.At(open, $"expected a list such as [a, b] after {op.Display}, found {open.Display}");
        }

        var close = open.Kind == TokenKind.OpenBracket ? TokenKind.CloseBracket : TokenKind.CloseParen;
        var closeText = close == TokenKind.CloseBracket ? "]" : ")";
        var values = new List<QueryToken>();
        while (true)
        {
            var value = Take();
            if (value.Kind is not (TokenKind.Word or TokenKind.Quoted))
            {
                throw QueryError.At(value, $"expected a value in the list, found {value.Display}");
            }

            values.Add(value);
            var separator = Take();
            if (separator.Kind == close)
            {
                return values;
            }

            if (separator.Kind != TokenKind.Comma)
            {
                throw QueryError.At(separator, $"expected ',' or '{closeText}' in the list, found {separator.Display}");
            }
        }
    }
}
