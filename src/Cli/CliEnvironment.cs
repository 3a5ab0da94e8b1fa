namespace Orchestrator.Cli;

/// <summary>What <c>orch</c> takes from its surroundings, so tests can supply their own.</summary>
/// <param name="GetVariable">Reads an environment variable (e.g. <c>ORCH_ENDPOINT</c>).</param>
/// <param name="Time">The clock for timeouts and the local time zone for timestamps.</param>
/// <param name="IsTerminal">Whether standard output is an interactive terminal (colours are used only then).</param>
internal sealed record CliEnvironment(Func<string, string?> GetVariable, TimeProvider Time, bool IsTerminal)
{
    public static CliEnvironment FromProcess(TextWriter stdout) => new(
        Environment.GetEnvironmentVariable,
        TimeProvider.System,
        IsTerminal: ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected);
}
