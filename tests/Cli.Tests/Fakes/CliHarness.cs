using Microsoft.Extensions.Time.Testing;

namespace Orchestrator.Cli.Tests.Fakes;

/// <summary>What one run of <c>orch</c> left: its exit code and what it printed.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs <c>orch</c> in-process against a fake control plane, with a fake clock in UTC and no environment.</summary>
internal static class CliHarness
{
    public static Task<CliResult> RunAsync(FakeClusterApiServer server, params string[] args) =>
        RunAsync([.. args, "--endpoint", server.Url], new FakeTimeProvider(), _ => null);

    /// <summary>Runs <c>orch</c> with exactly these environment variables and a fake clock.</summary>
    public static Task<CliResult> RunAsync(string[] args, params (string Name, string Value)[] variables) =>
        RunAsync(args, new FakeTimeProvider(), Environment(variables));

    /// <summary>An environment with exactly these variables.</summary>
    public static Func<string, string?> Environment(params (string Name, string Value)[] variables)
    {
        var values = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => values.GetValueOrDefault(name);
    }

    public static async Task<CliResult> RunAsync(string[] args, TimeProvider time, Func<string, string?> environment)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await Cli.RunAsync(
            args, stdout, stderr, new CliEnvironment(environment, time, IsTerminal: false), TestContext.Current.CancellationToken);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }
}
