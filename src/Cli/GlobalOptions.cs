using System.CommandLine;
using Orchestrator.Cli.Output;

namespace Orchestrator.Cli;

/// <summary>The options every command takes: where the control plane is and how to print results.</summary>
internal sealed class GlobalOptions
{
    public GlobalOptions()
    {
        // No default value here: the endpoint may also come from the environment or the config file (ConnectionSettings).
        Endpoint = new Option<string>("--endpoint")
        {
            Description =
                $"The control plane's URL (else {ConnectionSettings.EndpointVariable}, else the config file; default {ConnectionSettings.DefaultEndpoint})",
            HelpName = "url",
            Recursive = true,
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
