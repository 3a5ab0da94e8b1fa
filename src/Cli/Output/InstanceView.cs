using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Output;

internal static class InstanceView
{
    public static void Table(CommandOutput output, IEnumerable<ContainerInstance> instances)
    {
        var table = Tables.Create("INSTANCE ID", "EC2 ID", "STATUS", "CONNECTED", "RUNNING", "CPU FREE/TOTAL", "MEMORY FREE/TOTAL", "AGENT");
        foreach (var instance in instances)
        {
            table.Row(
                Formats.InstanceId(instance.ContainerInstanceArn),
                instance.Ec2InstanceId,
                instance.Status,
                Formats.YesNo(instance.AgentConnected),
                Formats.Number(instance.RunningTasksCount),
                FreeOfTotal(instance, ResourceNames.Cpu),
                FreeOfTotal(instance, ResourceNames.Memory),
                instance.VersionInfo?.AgentVersion is { Length: > 0 } version ? version : "-");
        }

        output.Write(table);
    }

    public static void Detail(CommandOutput output, ContainerInstance instance)
    {
        output.Write(Tables.Details(
        [
            ("Instance", Formats.InstanceId(instance.ContainerInstanceArn)),
            ("ARN", instance.ContainerInstanceArn),
            ("EC2 ID", instance.Ec2InstanceId),
            ("Status", instance.StatusReason is null ? instance.Status : $"{instance.Status} ({instance.StatusReason})"),
            ("Agent connected", Formats.YesNo(instance.AgentConnected)),
            ("Agent version", instance.VersionInfo?.AgentVersion),
            ("Docker version", instance.VersionInfo?.DockerVersion),
            ("Registered", Formats.LocalTime(instance.RegisteredAt, output.LocalTimeZone)),
            ("Tasks", $"{Formats.Number(instance.RunningTasksCount)} running, {Formats.Number(instance.PendingTasksCount)} pending"),
            ("CPU free/total", FreeOfTotal(instance, ResourceNames.Cpu)),
            ("Memory free/total", FreeOfTotal(instance, ResourceNames.Memory)),
            ("Ports in use (TCP)", Formats.StringSet(instance.RemainingResources, ResourceNames.Ports)),
            ("Ports in use (UDP)", Formats.StringSet(instance.RemainingResources, ResourceNames.PortsUdp)),
            .. Optional(
            [
                ("Dynamic ports free (TCP)", OptionalFreeOfTotal(instance, ResourceNames.DynamicPorts)),
                ("Dynamic ports free (UDP)", OptionalFreeOfTotal(instance, ResourceNames.DynamicPortsUdp)),
                ("awsvpc tasks free", OptionalFreeOfTotal(instance, ResourceNames.AwsvpcTasks)),
                ("GPUs free", instance.RegisteredResources.Any(r => r.Name == ResourceNames.Gpu) ? Formats.StringSet(instance.RemainingResources, ResourceNames.Gpu) : null),
            ]),
        ]));

        if (instance.Attributes.Count > 0)
        {
            output.Line();
            var table = Tables.Create("ATTRIBUTE", "VALUE");
            foreach (var attribute in instance.Attributes.OrderBy(a => a.Name, StringComparer.Ordinal))
            {
                table.Row(attribute.Name, attribute.Value);
            }

            output.Write(table);
        }
    }

    /// <summary>The rows of what only some instances have, left out for the others.</summary>
    private static IEnumerable<(string Name, string? Value)> Optional(IEnumerable<(string Name, string? Value)> rows) => rows.Where(r => r.Value is not null);

    /// <summary>free/total for a resource the instance may not have (dynamic ports, awsvpc tasks); null when it has none.</summary>
    private static string? OptionalFreeOfTotal(ContainerInstance instance, string resource) =>
        instance.RegisteredResources.Any(r => r.Name == resource) ? FreeOfTotal(instance, resource) : null;

    private static string FreeOfTotal(ContainerInstance instance, string resource) =>
        $"{Formats.Number(Formats.Integer(instance.RemainingResources, resource))}/{Formats.Number(Formats.Integer(instance.RegisteredResources, resource))}";
}
