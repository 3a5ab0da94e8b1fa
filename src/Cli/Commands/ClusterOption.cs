using System.CommandLine;

namespace Orchestrator.Cli.Commands;

/// <summary>The <c>--cluster</c> option of every command that works in one cluster.</summary>
internal static class ClusterOption
{
    public const string Default = "default";

    public static Option<string> Create() => new("--cluster", "-c")
    {
        Description = "The cluster's name or ARN",
        DefaultValueFactory = _ => Default,
    };
}
