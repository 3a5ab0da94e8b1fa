namespace Orchestrator.Cli.Output;

internal enum OutputFormat
{
    Table,
    Json,
}

internal static class OutputFormats
{
    public const string Table = "table";
    public const string Json = "json";

    public static OutputFormat Parse(string value) => value == Json ? OutputFormat.Json : OutputFormat.Table;
}
