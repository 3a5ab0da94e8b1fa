using Orchestrator.ControlPlane.Scheduling;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.Tests.Scheduling;

public sealed class PlacementValidationTests
{
    [Theory]
    [InlineData("random", null, "random")]
    [InlineData("binpack", "cpu", "binpack(cpu)")]
    [InlineData("binpack", "MEMORY", "binpack(memory)")]
    [InlineData("spread", "instanceId", "spread(instanceId)")]
    [InlineData("spread", "host", "spread(instanceId)")]
    [InlineData("spread", "attribute:ecs.availability-zone", "spread(attribute:ecs.availability-zone)")]
    public void Validate_ValidStrategy_Parses(string type, string? field, string parsed)
    {
        var rules = PlacementValidation.Validate(null, [new PlacementStrategy(type, field)]);

        Assert.Equal(parsed, Assert.Single(rules.Strategies).ToString());
    }

    [Theory]
    [InlineData("pack", "cpu", "Invalid placement strategy type 'pack'. Valid types are random, spread and binpack.")]
    [InlineData(null, null, "Invalid placement strategy type ''. Valid types are random, spread and binpack.")]
    [InlineData("binpack", "disk", "Invalid field 'disk' for the binpack placement strategy. Valid fields are cpu and memory.")]
    [InlineData("binpack", null, "Invalid field '' for the binpack placement strategy. Valid fields are cpu and memory.")]
    [InlineData("spread", null, "Invalid field '' for the spread placement strategy. Valid fields are instanceId, host and attribute:<name>.")]
    [InlineData("spread", "zone", "Invalid field 'zone' for the spread placement strategy. Valid fields are instanceId, host and attribute:<name>.")]
    [InlineData("spread", "attribute:", "Invalid field 'attribute:' for the spread placement strategy. Valid fields are instanceId, host and attribute:<name>.")]
    [InlineData("random", "cpu", "The random placement strategy does not take a field; 'cpu' was given.")]
    public void Validate_BadStrategy_ThrowsInvalidParameter(string? type, string? field, string message)
    {
        var error = Assert.Throws<EcsException>(() => PlacementValidation.Validate(null, [new PlacementStrategy(type, field)]));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("memberOf", null, "A memberOf placement constraint requires an expression.")]
    [InlineData("memberOf", " ", "A memberOf placement constraint requires an expression.")]
    [InlineData("distinctInstance", "attribute:a == b", "A distinctInstance placement constraint does not take an expression.")]
    [InlineData("sameInstance", null, "Invalid placement constraint type 'sameInstance'. Valid types are distinctInstance and memberOf.")]
    [InlineData("memberOf", "attribute:zone b", "Invalid placement constraint expression at character 16: expected an operator after 'attribute:zone', found 'b'.")]
    public void Validate_BadConstraint_ThrowsInvalidParameter(string type, string? expression, string message)
    {
        var error = Assert.Throws<EcsException>(() => PlacementValidation.Validate([new PlacementConstraint(type, expression)], null));

        Assert.Equal(EcsErrors.InvalidParameter, error.ErrorType);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Validate_ElevenConstraints_ThrowsLimit()
    {
        var constraints = Enumerable.Repeat(new PlacementConstraint("distinctInstance"), 11).ToList();

        var error = Assert.Throws<EcsException>(() => PlacementValidation.Validate(constraints, null));

        Assert.Equal("A task can have at most 10 placement constraints, counting the task definition's; 11 were given.", error.Message);
    }

    [Fact]
    public void Validate_SixStrategies_ThrowsLimit()
    {
        var strategies = Enumerable.Repeat(new PlacementStrategy("random"), 6).ToList();

        var error = Assert.Throws<EcsException>(() => PlacementValidation.Validate(null, strategies));

        Assert.Equal("A task can have at most 5 placement strategies; 6 were given.", error.Message);
    }

    [Fact]
    public void Validate_TenConstraintsAndFiveStrategies_IsAccepted()
    {
        var rules = PlacementValidation.Validate(
            Enumerable.Repeat(new PlacementConstraint("memberOf", "attribute:a exists"), 10).ToList(),
            Enumerable.Repeat(new PlacementStrategy("binpack", "cpu"), 5).ToList());

        Assert.Equal(10, rules.Constraints.Count);
        Assert.Equal(5, rules.Strategies.Count);
    }

    [Theory]
    [InlineData(2000, true)]
    [InlineData(2001, false)]
    public void Validate_ExpressionLength_IsLimitedTo2000(int length, bool valid)
    {
        var expression = "attribute:a == " + new string('x', length - 15);
        var constraint = new PlacementConstraint("memberOf", expression);

        if (valid)
        {
            Assert.IsType<MemberOfConstraint>(Assert.Single(PlacementValidation.Validate([constraint], null).Constraints));
        }
        else
        {
            var error = Assert.Throws<EcsException>(() => PlacementValidation.Validate([constraint], null));
            Assert.Equal("A placement constraint expression can be at most 2000 characters; this one has 2001.", error.Message);
        }
    }

    [Fact]
    public void ValidateConstraints_DistinctInstanceInTaskDefinition_Throws()
    {
        var error = Assert.Throws<EcsException>(() =>
            PlacementValidation.ValidateConstraints([new PlacementConstraint("distinctInstance")], forTaskDefinition: true));

        Assert.Equal("A task definition's placement constraints can only be of type memberOf.", error.Message);
    }

    [Fact]
    public void Validate_NullEntries_AreInvalidParametersNotCrashes()
    {
        Assert.Equal(EcsErrors.InvalidParameter, Assert.Throws<EcsException>(() => PlacementValidation.Validate([null], null)).ErrorType);
        Assert.Equal(EcsErrors.InvalidParameter, Assert.Throws<EcsException>(() => PlacementValidation.Validate(null, [null])).ErrorType);
    }

    [Fact]
    public void EffectiveStrategies_NoneGiven_IsRandom() =>
        Assert.Equal([ParsedStrategy.Random], PlacementValidation.Validate(null, null).EffectiveStrategies);
}
