using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Output;

internal static class ClusterView
{
    public static void Table(CommandOutput output, IEnumerable<Cluster> clusters)
    {
        var table = Tables.Create("NAME", "STATUS", "INSTANCES", "RUNNING", "PENDING");
        foreach (var cluster in clusters)
        {
            table.Row(
                cluster.ClusterName,
                cluster.Status,
                Formats.Number(cluster.RegisteredContainerInstancesCount),
                Formats.Number(cluster.RunningTasksCount),
                Formats.Number(cluster.PendingTasksCount));
        }

        output.Write(table);
    }
}
