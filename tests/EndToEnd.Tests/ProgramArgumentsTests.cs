using System.Diagnostics;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The real programs asked for help, or given an option they do not know: an answer, never a start.</summary>
public sealed class ProgramArgumentsTests
{
    public static TheoryData<string> Daemons => new() { "ControlPlane", "Agent" };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Daemons))]
    public async Task Help_PrintsUsageAndExits(string program)
    {
        var (exit, output, _) = await RunAsync(TestContext.Current.CancellationToken, program, "--help");

        Assert.Equal(0, exit);
        Assert.StartsWith("Usage:", output.TrimStart(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ControlPlane_UnknownOption_RefusedInOneLine()
    {
        var (exit, _, error) = await RunAsync(TestContext.Current.CancellationToken, "ControlPlane", "--grcp-port", "7071");

        Assert.Equal(2, exit);
        Assert.Equal("controlplane: unknown option or missing value: --grcp-port (see --help)", error.Trim());
    }

    [Fact(Timeout = 60_000)]
    public async Task Agent_UnknownOption_RefusedInOneLine()
    {
        var (exit, output, error) = await RunAsync(TestContext.Current.CancellationToken, "Agent", "--clutser", "prod");

        Assert.Equal(2, exit);
        Assert.Equal("agent: unknown option or missing value: --clutser (see --help)", error.Trim());
        Assert.Empty(output.Trim()); // it did not start: no host, no log lines
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(CancellationToken cancellationToken, string program, params string[] args)
    {
        var dll = program == "Agent" ? Programs.Agent : Programs.ControlPlane;
        using var process = Process.Start(new ProcessStartInfo("dotnet", [dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{program} {string.Join(' ', args)} did not exit: it started instead of answering.");
        }

        return (process.ExitCode, await output, await error);
    }
}
