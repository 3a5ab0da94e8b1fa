using System.CommandLine;
using Orchestrator.Cli.Output;

namespace Orchestrator.Cli;

/// <summary>
/// What one command's action works with: its parsed arguments, the cluster and admin APIs, the output and the clock.
/// </summary>
internal sealed record Invocation(ParseResult Parse, EcsClient Client, AdminClient Admin, CommandOutput Output, TimeProvider Time)
{
    public T Get<T>(Option<T> option) => Parse.GetRequiredValue(option);

    public T Get<T>(Argument<T> argument) => Parse.GetRequiredValue(argument);

    public T? GetOptional<T>(Option<T> option) => Parse.GetValue(option);
}
