using Orchestrator.ControlPlane.Http;

namespace Orchestrator.ControlPlane.Tests.Http;

/// <summary>What a refused console sign-in writes to the log in place of the access key ID it was given.</summary>
public sealed class ConsoleLogTests
{
    [Fact]
    public void RefusedId_ShapedAsAnAccessKeyId_IsLoggedAsTyped()
    {
        Assert.Equal("AKIA2RDIDCPITHY3SO6A", ConsoleLog.AsTyped("AKIA2RDIDCPITHY3SO6A"));
    }

    [Theory]
    [InlineData("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")]
    [InlineData("local/cluster+secret")]
    [InlineData("")]
    public void RefusedId_ThatIsNotOne_NeverReachesTheLog(string typed)
    {
        var logged = ConsoleLog.AsTyped(typed);

        Assert.Equal($"(not an access key ID, {typed.Length} characters)", logged);
    }
}
