using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Engine;

/// <summary>What this agent cannot run, said before anything is created.</summary>
public static class TaskDefinitionCheck
{
    /// <summary>Null when the agent can run the task definition, else the ECS-style reason the task stops with.</summary>
    public static string? Unsupported(TaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var mode = definition.EffectiveNetworkMode;
        if (mode == NetworkModes.Awsvpc)
        {
            return "ResourceInitializationError: networkMode awsvpc is not supported by this agent yet; use bridge, host or none.";
        }

        if (mode is not (NetworkModes.Bridge or NetworkModes.Host or NetworkModes.None))
        {
            return $"ResourceInitializationError: networkMode {mode} is not supported; use bridge, host or none.";
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
        return names.Distinct(StringComparer.Ordinal).Count() != names.Count
            ? "CannotCreateContainerError: container names in the task definition must be unique."
            : null;
    }
}
