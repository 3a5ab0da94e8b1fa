using System.CommandLine;
using Orchestrator.Cli.Output;

namespace Orchestrator.Cli;

/// <summary>
/// Runs a command's action with its <see cref="Invocation"/> and turns a <see cref="CliException"/> into a message on
/// standard error and the exception's exit code.
/// </summary>
internal sealed class CommandRunner(TextWriter stdout, TextWriter stderr, CliEnvironment environment)
{
    public GlobalOptions Globals { get; } = new(environment);

    public void SetAction(Command command, Func<Invocation, CancellationToken, Task<int>> action) =>
        command.SetAction((result, cancellationToken) => RunAsync(result, action, cancellationToken));

    private async Task<int> RunAsync(ParseResult result, Func<Invocation, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        var format = OutputFormats.Parse(result.GetRequiredValue(Globals.Output));
        var output = new CommandOutput(stdout, stderr, format, environment);
        try
        {
            var endpoint = ParseEndpoint(result.GetRequiredValue(Globals.Endpoint));
            using var client = new EcsClient(endpoint);
            return await action(new Invocation(result, client, output, environment.Time), cancellationToken);
        }
        catch (CliException e)
        {
            output.Error(e.Message);
            return e.ExitCode;
        }
    }

    private static Uri ParseEndpoint(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw CliException.Local(
                $"The endpoint '{value}' is not an http:// or https:// URL (set --endpoint or {GlobalOptions.EndpointVariable}).");
}
