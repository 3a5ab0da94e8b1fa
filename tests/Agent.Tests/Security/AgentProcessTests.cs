using System.Diagnostics;
using Orchestrator.Agent.Tests.Support;
using Orchestrator.Contracts;

namespace Orchestrator.Agent.Tests.Security;

/// <summary>The agent program itself: how it ends when it must not go on.</summary>
public sealed class AgentProcessTests : IAsyncLifetime
{
    private readonly TempDirectory _dataDir = new();
    private readonly TestCa _ca = TestCa.Create("process-ca");
    private FakeSecureControlPlane _plane = null!;

    public async ValueTask InitializeAsync() => _plane = await FakeSecureControlPlane.StartAsync(_ca);

    public async ValueTask DisposeAsync()
    {
        await _plane.DisposeAsync();
        _ca.Dispose();
        _dataDir.Dispose();
    }

    [Fact]
    public async Task WrongFingerprint_ExitsWith2_AndOneLineOnStderrNamingTheOfferedCa()
    {
        using var other = TestCa.Create("another-ca");

        var (code, stderr) = await RunAgentAsync(
            "--endpoint", _plane.Address, "--data-dir", _dataDir.Path, "--docker-host", "unix:///nonexistent/docker.sock",
            "--ca-fingerprint", CaFingerprint.Of(other.Certificate),
            "--activation-id", FakeSecureControlPlane.ActivationId, "--activation-code", FakeSecureControlPlane.ActivationCode);

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(CaFingerprint.Of(_ca.Certificate), line, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeSecureControlPlane.ActivationCode, stderr, StringComparison.Ordinal);
        Assert.Empty(_plane.Registrations);
    }

    [Fact]
    public async Task HttpsWithoutCa_ExitsWith2_AskingForCaFileOrFingerprint()
    {
        var (code, stderr) = await RunAgentAsync("--endpoint", _plane.Address, "--data-dir", _dataDir.Path,
            "--activation-id", FakeSecureControlPlane.ActivationId, "--activation-code", FakeSecureControlPlane.ActivationCode);

        Assert.Equal(2, code);
        Assert.Contains("--ca-file or --ca-fingerprint (orch activation create prints it)", stderr, StringComparison.Ordinal);
        Assert.Equal(0, _plane.CaRequests);
    }

    private static async Task<(int Code, string Stderr)> RunAgentAsync(params string[] args)
    {
        // The agent's own build output (artifacts/bin/Agent/<configuration>/), beside this one: it has the agent's
        // dependencies, which the copy in the test's directory lacks.
        var testDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var program = Path.GetFullPath(Path.Combine(
            testDirectory, "..", "..", "Agent", Path.GetFileName(testDirectory), OperatingSystem.IsWindows() ? "Agent.exe" : "Agent"));
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Only what the test gives: no ORCH_* from the machine running the tests.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ORCH_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The agent did not exit; its output: {await stdout}");
        }

        await stdout;
        return (process.ExitCode, await stderr);
    }
}
