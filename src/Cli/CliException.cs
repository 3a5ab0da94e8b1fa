namespace Orchestrator.Cli;

/// <summary>A failure to report on standard error as it is, ending the command with <see cref="ExitCode"/>.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Local(string message) => new(ExitCodes.LocalError, message);
}
