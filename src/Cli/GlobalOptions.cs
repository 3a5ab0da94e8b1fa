using System.CommandLine;
using Orchestrator.Cli.Output;

namespace Orchestrator.Cli;

/// <summary>The options every command takes: where the control plane is and how to print results.</summary>
internal sealed class GlobalOptions
{
    public const string EndpointVariable = "ORCH_ENDPOINT";
    public const string DefaultEndpoint = "http://127.0.0.1:7070";

    public GlobalOptions(CliEnvironment environment)
    {
        Endpoint = new Option<string>("--endpoint")
        {
            Description = $"The control plane's cluster API URL (or set {EndpointVariable})",
            HelpName = "url",
            Recursive = true,
            DefaultValueFactory = _ => environment.GetVariable(EndpointVariable) is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : DefaultEndpoint,
        };

        Output = new Option<string>("--output", "-o")
        {
            Description = "How to print results: a table, or ECS's JSON response documents",
            Recursive = true,
            DefaultValueFactory = _ => OutputFormats.Table,
        };
        Output.AcceptOnlyFromAmong(OutputFormats.Table, OutputFormats.Json);
    }

    public Option<string> Endpoint { get; }

    public Option<string> Output { get; }
}
