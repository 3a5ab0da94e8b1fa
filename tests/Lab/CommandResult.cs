namespace Orchestrator.Lab;

/// <summary>What a finished command printed and how it exited.</summary>
public sealed record CommandResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    public CommandResult EnsureSuccess() =>
        Succeeded ? this : throw new Xunit.Sdk.XunitException($"{Command} exited {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}");
}
