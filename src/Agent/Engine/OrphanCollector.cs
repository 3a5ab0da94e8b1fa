using Orchestrator.Agent.Docker;

namespace Orchestrator.Agent.Engine;

/// <summary>
/// After a restart, removes containers that carry this agent's labels (its container instance ARN) but belong to
/// no task the agent knows — left behind by a crash between creating a container and recording its task, or by a
/// task forgotten while the agent was down. Containers without the agent's labels are never touched.
/// </summary>
public static partial class OrphanCollector
{
    /// <summary>The containers to remove: ours, of a task not in <paramref name="knownTasks"/>. Pure.</summary>
    public static IReadOnlyList<LabelledContainer> Orphans(IEnumerable<LabelledContainer> ours, IReadOnlySet<string> knownTasks) =>
        ours.Where(c => !c.Labels.TryGetValue(ContainerSpecBuilder.TaskArnLabel, out var task) || !knownTasks.Contains(task)).ToList();

    public static async Task<int> CollectAsync(
        IDockerDriver driver, string containerInstanceArn, IReadOnlySet<string> knownTasks, ILogger logger, CancellationToken cancellationToken)
    {
        var ours = await driver.ListContainersAsync(ContainerSpecBuilder.ContainerInstanceLabel, containerInstanceArn, cancellationToken).ConfigureAwait(false);
        var orphans = Orphans(ours, knownTasks);
        foreach (var orphan in orphans)
        {
            await driver.RemoveContainerAsync(orphan.Id, cancellationToken).ConfigureAwait(false);
            Log.Removed(logger, orphan.Name, orphan.Id, orphan.Labels.GetValueOrDefault(ContainerSpecBuilder.TaskArnLabel) ?? "(none)");
        }

        return orphans.Count;
    }
}
