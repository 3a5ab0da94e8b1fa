using System.CommandLine;
using Orchestrator.Cli.Output;

namespace Orchestrator.Cli;

/// <summary>
/// Runs a command's action with its <see cref="Invocation"/> and turns a <see cref="CliException"/> into a message on
/// standard error and the exception's exit code.
/// </summary>
internal sealed class CommandRunner(TextWriter stdout, TextWriter stderr, CliEnvironment environment)
{
    public GlobalOptions Globals { get; } = new();

    public void SetAction(Command command, Func<Invocation, CancellationToken, Task<int>> action) =>
        command.SetAction((result, cancellationToken) => RunAsync(result, action, cancellationToken));

    private async Task<int> RunAsync(ParseResult result, Func<Invocation, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        var format = OutputFormats.Parse(result.GetRequiredValue(Globals.Output));
        var output = new CommandOutput(stdout, stderr, format, environment);
        try
        {
            var settings = ConnectionSettings.Resolve(result.GetValue(Globals.Endpoint), environment.GetVariable, output.Error);
            using var controlPlane = new ControlPlane(settings, environment.Time);
            var invocation = new Invocation(result, new EcsClient(controlPlane), new AdminClient(controlPlane), output, environment.Time);
            return await action(invocation, cancellationToken);
        }
        catch (CliException e)
        {
            output.Error(e.Message);
            return e.ExitCode;
        }
    }
}
