using Orchestrator.ControlPlane.Scheduling;
using static Orchestrator.ControlPlane.Tests.Scheduling.Hosts;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

/// <summary>Every operator, in symbol and word form, on an attribute subject.</summary>
public sealed class QueryOperatorTests
{
    private static readonly InstanceSnapshot Instance = Host("a1", attributes: Attrs(
        ("ecs.instance-type", "t2.small"),
        ("ecs.availability-zone", "us-east-1a"),
        ("cores", "4"),
        ("ecs.capability.task-eni", null)));

    [Theory]
    [InlineData("attribute:ecs.instance-type == t2.small", true)]
    [InlineData("attribute:ecs.instance-type equals t2.small", true)]
    [InlineData("attribute:ecs.instance-type == 't2.small'", true)]
    [InlineData("attribute:ecs.instance-type == t2.*", true)]
    [InlineData("attribute:ecs.instance-type == *.small", true)]
    [InlineData("attribute:ecs.instance-type == t3.small", false)]
    [InlineData("attribute:ecs.instance-type == T2.SMALL", false)]
    [InlineData("attribute:ecs.capability.task-eni == x", false)]
    [InlineData("attribute:ecs.instance-type != t3.small", true)]
    [InlineData("attribute:ecs.instance-type not_equals t2.small", false)]
    [InlineData("attribute:missing != x", true)]
    [InlineData("attribute:cores > 2", true)]
    [InlineData("attribute:cores greater_than 4", false)]
    [InlineData("attribute:cores >= 4", true)]
    [InlineData("attribute:cores greater_than_equal 5", false)]
    [InlineData("attribute:cores < 10", true)] // numeric: ordinal comparison would say "4" > "10"
    [InlineData("attribute:cores less_than 4", false)]
    [InlineData("attribute:cores <= 4", true)]
    [InlineData("attribute:cores less_than_equal 3", false)]
    [InlineData("attribute:ecs.instance-type > t2.medium", true)] // ordinal when not numbers
    [InlineData("attribute:missing > 1", false)]
    [InlineData("attribute:ecs.capability.task-eni exists", true)]
    [InlineData("attribute:missing exists", false)]
    [InlineData("attribute:missing !exists", true)]
    [InlineData("attribute:missing not_exists", true)]
    [InlineData("attribute:ecs.instance-type !exists", false)]
    [InlineData("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", true)]
    [InlineData("attribute:ecs.availability-zone in (us-east-1b, us-east-1c)", false)]
    [InlineData("attribute:ecs.availability-zone in ['us-east-1*']", true)]
    [InlineData("attribute:ecs.availability-zone !in [us-east-1b]", true)]
    [InlineData("attribute:ecs.availability-zone not_in [us-east-1a]", false)]
    [InlineData("attribute:missing not_in [us-east-1a]", true)]
    [InlineData("attribute:ecs.instance-type =~ t2\\..*", true)]
    [InlineData("attribute:ecs.instance-type matches 't2.(small|medium)'", true)]
    [InlineData("attribute:ecs.instance-type =~ small", false)] // anchored: the whole value must match
    [InlineData("attribute:ecs.instance-type !~ g2.*", true)]
    [InlineData("attribute:ecs.instance-type not_matches t2.*", false)]
    [InlineData("attribute:missing =~ .*", false)]
    public void Evaluate_AttributeOperator_MatchesEcs(string expression, bool expected) =>
        Assert.Equal(expected, MemberOfConstraint.Parse(expression).Matches(Instance));

    [Theory]
    [InlineData("attribute:cores == 4 and attribute:ecs.instance-type == t2.small", true)]
    [InlineData("attribute:cores == 4 && attribute:ecs.instance-type == t3.small", false)]
    [InlineData("attribute:cores == 5 or attribute:ecs.instance-type == t2.small", true)]
    [InlineData("attribute:cores == 5 || attribute:ecs.instance-type == t3.small", false)]
    [InlineData("not attribute:cores == 5", true)]
    [InlineData("!(attribute:cores == 4)", false)]
    [InlineData("not(attribute:cores == 4 and attribute:cores == 5)", true)]
    [InlineData("attribute:cores == 4 or attribute:cores == 5 and attribute:cores == 6", true)] // and binds tighter
    [InlineData("(attribute:cores == 4 or attribute:cores == 5) and attribute:cores == 6", false)]
    [InlineData("not attribute:cores == 4 or attribute:cores == 4", true)] // not binds tighter than or
    [InlineData("not attribute:cores == 4 and attribute:cores == 5", false)]
    [InlineData("attribute:cores == 4 AND NOT attribute:cores == 5", true)]
    [InlineData("((attribute:cores == 4))", true)]
    public void Evaluate_BooleanOperators_FollowPrecedence(string expression, bool expected) =>
        Assert.Equal(expected, MemberOfConstraint.Parse(expression).Matches(Instance));
}
