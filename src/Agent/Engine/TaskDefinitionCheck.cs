using System.Globalization;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>What this agent cannot run, said before anything is created.</summary>
public static class TaskDefinitionCheck
{
    /// <summary>
    /// Null when the agent can run the task definition on a host of <paramref name="osType"/> with the GPUs placement
    /// gave it (<paramref name="gpus"/>), else the ECS-style reason the task stops with.
    /// </summary>
    public static string? Unsupported(TaskDefinition definition, string osType = "linux", IReadOnlyList<GpuAssignment>? gpus = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var mode = definition.EffectiveNetworkMode;
        if (NetworkModeMapping.Map(mode, osType).Problem is { } networking)
        {
            return networking;
        }

        if (definition.ContainerDefinitions.Count == 0)
        {
            return "CannotCreateContainerError: the task definition has no containers.";
        }

        var unnamed = definition.ContainerDefinitions.FirstOrDefault(c => string.IsNullOrEmpty(c.Name) || string.IsNullOrEmpty(c.Image));
        if (unnamed is not null)
        {
            return "CannotCreateContainerError: every container needs a name and an image.";
        }

        var names = definition.ContainerDefinitions.Select(c => c.Name).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            return "CannotCreateContainerError: container names in the task definition must be unique.";
        }

        foreach (var container in definition.ContainerDefinitions.Where(c => c.GpuCount > 0))
        {
            var given = gpus?.FirstOrDefault(g => g.ContainerName == container.Name)?.GpuIds.Count ?? 0;
            if (given != container.GpuCount)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"ResourceInitializationError: container {container.Name} needs {container.GpuCount} GPU(s) but placement assigned {given}.");
            }
        }

        return DependencyGraph.Problem(definition);
    }
}
