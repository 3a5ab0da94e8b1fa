using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Output;

internal static class TaskView
{
    public static void Table(CommandOutput output, IEnumerable<EcsTask> tasks)
    {
        var table = Tables.Create("TASK ID", "DEFINITION", "LAST", "DESIRED", "INSTANCE", "PORTS", "STARTED");
        foreach (var task in tasks)
        {
            table.Row(
                Formats.TaskId(task.TaskArn),
                Formats.Definition(task.TaskDefinitionArn),
                task.LastStatus,
                task.DesiredStatus,
                Formats.InstanceId(task.ContainerInstanceArn),
                Formats.TaskPorts(task),
                Formats.LocalTime(task.StartedAt, output.LocalTimeZone));
        }

        output.Write(table);
    }

    public static void Detail(CommandOutput output, EcsTask task)
    {
        var zone = output.LocalTimeZone;
        output.Write(Tables.Details(
        [
            ("Task", Formats.TaskId(task.TaskArn)),
            ("ARN", task.TaskArn),
            ("Cluster", Formats.ClusterName(task.ClusterArn)),
            ("Definition", Formats.Definition(task.TaskDefinitionArn)),
            ("Instance", Formats.InstanceId(task.ContainerInstanceArn)),
            .. (Formats.TaskAddress(task) is { } address ? [("Address", $"{address} ({Formats.NetworkInterface(task)})")] : Array.Empty<(string, string?)>()),
            ("Status", $"{task.LastStatus} (desired {task.DesiredStatus})"),
            ("Started by", task.StartedBy),
            ("Group", task.Group),
            ("Created", Formats.LocalTime(task.CreatedAt, zone)),
            ("Started", Formats.LocalTime(task.StartedAt, zone)),
            ("Stopped", Formats.LocalTime(task.StoppedAt, zone)),
            ("Stop code", task.StopCode),
            ("Stopped reason", task.StoppedReason),
        ]));
        output.Line();

        var table = Tables.Create("CONTAINER", "IMAGE", "LAST", "EXIT CODE", "REASON", "PORTS");
        foreach (var container in task.Containers)
        {
            table.Row(
                container.Name,
                container.Image,
                container.LastStatus,
                Formats.Number(container.ExitCode),
                container.Reason,
                Formats.Bindings(container.NetworkBindings));
        }

        output.Write(table);
    }
}
