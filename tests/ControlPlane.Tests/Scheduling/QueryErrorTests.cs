using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.Ecs;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

/// <summary>Malformed expressions name the (1-based) character where they go wrong and what was expected.</summary>
public sealed class QueryErrorTests
{
    [Theory]
    [InlineData("attribute:zone", 15, "expected an operator after 'attribute:zone'")]
    [InlineData("attribute:zone b", 16, "expected an operator after 'attribute:zone', found 'b'")]
    [InlineData("attribute:zone ==", 18, "expected a value after '=='")]
    [InlineData("zone == b", 1, "unknown subject 'zone'")]
    [InlineData("attribute: == b", 11, "'' is not an attribute name")]
    [InlineData("agentConnected > true", 16, "agentConnected cannot be compared with >")]
    [InlineData("task:group exists", 12, "task:group cannot be compared with exists")]
    [InlineData("agentConnected == maybe", 19, "agentConnected is true or false")]
    [InlineData("runningTasksCount == many", 22, "runningTasksCount compares with a whole number")]
    [InlineData("registeredAt < yesterday", 16, "registeredAt compares with a date")]
    [InlineData("agentVersion > latest", 16, "agentVersion compares with a version")]
    [InlineData("attribute:a in b", 16, "expected a list such as [a, b] after 'in'")]
    [InlineData("attribute:a in [x y]", 19, "expected ',' or ']' in the list")]
    [InlineData("attribute:a in [x, ]", 20, "expected a value in the list")]
    [InlineData("attribute:a == 'x", 16, "the quoted value is not closed")]
    [InlineData("(attribute:a == x", 18, "expected ')' to close the '(' at character 1")]
    [InlineData("attribute:a == x)", 17, "')' has no matching '('")]
    [InlineData("attribute:a == x attribute:b == y", 18, "expected 'and', 'or' or the end of the expression")]
    [InlineData("attribute:a = x", 13, "unexpected '='")]
    [InlineData("attribute:a == x & attribute:b == y", 18, "unexpected '&'")]
    [InlineData("attribute:a =~ '(x'", 16, "is not a valid regular expression")]
    [InlineData("attribute:a =~ '(?=x)x'", 16, "lookarounds")]
    [InlineData("attribute:a == x and", 21, "expected a subject")]
    [InlineData("not", 4, "expected a subject")]
    [InlineData("   ", 1, "the expression is empty")]
    public void Parse_Malformed_ThrowsInvalidParameterAtCharacter(string expression, int character, string problem)
    {
        var error = Assert.Throws<EcsException>(() => MemberOfConstraint.Parse(expression));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.StartsWith($"Invalid placement constraint expression at character {character}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SymbolsWithoutSpaces_Tokenizes()
    {
        var constraint = MemberOfConstraint.Parse("attribute:a==x&&!(attribute:b!=y)||attribute:c>=2");

        Assert.True(constraint.Matches(Hosts.Host("h", attributes: Hosts.Attrs(("a", "x"), ("b", "y")))));
    }
}
