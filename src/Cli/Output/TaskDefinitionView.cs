using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Output;

internal static class TaskDefinitionView
{
    public static void Table(CommandOutput output, IEnumerable<TaskDefinition> definitions)
    {
        var table = Tables.Create("ARN", "FAMILY", "REVISION", "STATUS");
        foreach (var definition in definitions)
        {
            table.Row(definition.TaskDefinitionArn, definition.Family, Formats.Number(definition.Revision), definition.Status);
        }

        output.Write(table);
    }

    public static void ArnTable(CommandOutput output, IEnumerable<string> arns)
    {
        var table = Tables.Create("TASK DEFINITION", "ARN");
        foreach (var arn in arns)
        {
            table.Row(Formats.Definition(arn), arn);
        }

        output.Write(table);
    }

    public static void Detail(CommandOutput output, TaskDefinition definition)
    {
        output.Write(Tables.Details(
        [
            ("ARN", definition.TaskDefinitionArn),
            ("Family", definition.Family),
            ("Revision", Formats.Number(definition.Revision)),
            ("Status", definition.Status),
            ("Network mode", definition.EffectiveNetworkMode),
            ("CPU", definition.Cpu),
            ("Memory", definition.Memory),
            ("Registered", Formats.LocalTime(definition.RegisteredAt, output.LocalTimeZone)),
        ]));
        output.Line();

        var table = Tables.Create("NAME", "IMAGE", "CPU", "MEMORY", "PORTS");
        foreach (var container in definition.ContainerDefinitions)
        {
            table.Row(container.Name, container.Image, Formats.Number(container.Cpu), Memory(container), Formats.Mappings(container.PortMappings ?? []));
        }

        output.Write(table);
    }

    /// <summary>The hard limit, else the soft limit marked as such.</summary>
    private static string? Memory(ContainerDefinition container) => (container.Memory, container.MemoryReservation) switch
    {
        ({ } hard, _) => Formats.Number(hard),
        (null, { } soft) => $"{Formats.Number(soft)} (soft)",
        _ => null,
    };
}
