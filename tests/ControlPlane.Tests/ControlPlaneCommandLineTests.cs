namespace Orchestrator.ControlPlane.Tests;

public sealed class ControlPlaneCommandLineTests
{
    [Theory]
    [InlineData("--data-dir", "/tmp/x", "--grpc-port=7071")]
    [InlineData("--subnet", "a cidr=10.0.0.0/24", "--ControlPlane:MaxClockSkew=00:05:00")]
    [InlineData("--Logging:LogLevel:Default", "Debug")]
    public void FirstUnknown_KnownOptionsAndSettings_None(params string[] args) =>
        Assert.Null(ControlPlaneCommandLine.FirstUnknown(args));

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--data-dir", "/tmp/x", "stray")]
    [InlineData("--grpc-port")]
    [InlineData("-p", "7070")]
    public void FirstUnknown_UnknownOrValueless_NamesIt(params string[] args) =>
        Assert.Equal(args[^1] == "7070" ? "-p" : args[^1], ControlPlaneCommandLine.FirstUnknown(args));

    [Fact]
    public void Usage_NamesEverySwitch() =>
        Assert.All(ControlPlaneApp.Switches.Keys, name => Assert.Contains(name + " ", ControlPlaneCommandLine.Usage, StringComparison.Ordinal));
}
