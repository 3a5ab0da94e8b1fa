namespace Orchestrator.Ecs.Tests;

public sealed class ArnsTests
{
    private readonly Arns _arns = new("eu-west-1", "123456789012");

    [Fact]
    public void Task_UsesEcsLongFormat()
    {
        Assert.Equal("arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef",
            _arns.Task("prod", "0123456789abcdef0123456789abcdef"));
    }

    [Theory]
    [InlineData("arn:aws:ecs:eu-west-1:123456789012:task/prod/abc", "task", "abc")]
    [InlineData("abc", "task", "abc")]
    [InlineData("arn:aws:ecs:eu-west-1:123456789012:cluster/prod", "cluster", "prod")]
    public void ShortName_AcceptsArnOrName(string reference, string type, string expected)
    {
        Assert.Equal(expected, Arns.ShortName(reference, type));
    }

    [Fact]
    public void NewId_Is32LowercaseHex()
    {
        Assert.Matches("^[0-9a-f]{32}$", Arns.NewId());
    }
}
