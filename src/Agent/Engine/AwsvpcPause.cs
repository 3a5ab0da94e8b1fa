using Orchestrator.Agent.Awsvpc;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>An awsvpc task's pause container (see <see cref="AwsvpcTask"/>) as the engine runs it.</summary>
internal static class AwsvpcPause
{
    /// <summary>The definition the engine runs for an awsvpc task: the pause container first, the others depending on it.</summary>
    public static TaskDefinition WithPause(TaskDefinition definition, string pauseImage)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var onPause = new ContainerDependency { ContainerName = AwsvpcTask.PauseContainer, Condition = DependencyGraph.Running };
        var pause = new ContainerDefinition { Name = AwsvpcTask.PauseContainer, Image = pauseImage, Essential = true };
        return definition with
        {
            ContainerDefinitions =
            [
                pause,
                .. definition.ContainerDefinitions.Select(c => c with { DependsOn = [onPause, .. c.DependsOn ?? []] }),
            ],
        };
    }
}
