using Orchestrator.Ecs.Model;

namespace Orchestrator.Ecs.Validation;

/// <summary>links, volumesFrom and dependsOn: what a container may refer to, and that the start order has no cycle.</summary>
public static partial class TaskDefinitionValidator
{
    private static void ValidateOrdering(IReadOnlyList<ContainerDefinition> containers, string mode)
    {
        var byName = containers.ToDictionary(c => c.Name!, StringComparer.Ordinal);
        foreach (var container in containers)
        {
            var name = container.Name!;
            if (container.Links is { Count: > 0 } links)
            {
                if (mode != NetworkModes.Bridge)
                {
                    throw EcsException.Client($"Links are not supported when networkMode={mode}");
                }

                foreach (var link in links)
                {
                    var target = ContainerOrdering.LinkTarget(link ?? "");
                    if (target == name)
                    {
                        throw EcsException.Client($"Invalid link '{link}' in container '{name}'. A container cannot link to itself.");
                    }

                    if (!byName.ContainsKey(target) || ContainerOrdering.LinkAlias(link!).Length == 0)
                    {
                        throw EcsException.Client($"Invalid link '{link}' in container '{name}'. '{target}' is not a container in this task definition.");
                    }
                }
            }

            foreach (var from in container.VolumesFrom ?? [])
            {
                if (string.IsNullOrEmpty(from.SourceContainer))
                {
                    throw EcsException.Client($"Invalid volumesFrom for container '{name}'. sourceContainer must be set.");
                }

                if (from.SourceContainer == name)
                {
                    throw EcsException.Client($"Invalid volumesFrom for container '{name}'. A container cannot mount volumes from itself.");
                }

                if (!byName.ContainsKey(from.SourceContainer))
                {
                    throw EcsException.Client($"Invalid volumesFrom for container '{name}'. '{from.SourceContainer}' is not a container in this task definition.");
                }
            }

            foreach (var dependency in container.DependsOn ?? [])
            {
                ValidateDependency(name, dependency, byName);
            }
        }

        if (ContainerOrdering.FindCycle(containers) is { } cycle)
        {
            throw EcsException.Client($"Container dependencies form a cycle: {string.Join(" -> ", cycle)}.");
        }
    }

    private static void ValidateDependency(string name, ContainerDependency dependency, Dictionary<string, ContainerDefinition> byName)
    {
        var target = dependency.ContainerName;
        if (string.IsNullOrEmpty(target))
        {
            throw EcsException.Client($"Invalid dependsOn for container '{name}'. containerName must be set.");
        }

        if (dependency.Condition is not { } condition || !ContainerConditions.All.Contains(condition))
        {
            throw EcsException.Client(
                $"Invalid dependsOn condition '{dependency.Condition}' for container '{name}'. Valid values: {string.Join(", ", ContainerConditions.All)}.");
        }

        if (target == name)
        {
            throw EcsException.Client($"Invalid dependsOn for container '{name}'. A container cannot depend on itself.");
        }

        if (!byName.TryGetValue(target, out var dependencyDefinition))
        {
            throw EcsException.Client($"Invalid dependsOn for container '{name}'. '{target}' is not a container in this task definition.");
        }

        if (condition is ContainerConditions.Complete or ContainerConditions.Success && dependencyDefinition.IsEssential)
        {
            throw EcsException.Client(
                $"Invalid dependsOn for container '{name}'. '{target}' is essential, so it cannot be depended on with condition {condition}; mark it \"essential\": false.");
        }

        if (condition == ContainerConditions.Healthy && dependencyDefinition.HealthCheck is null)
        {
            throw EcsException.Client($"Invalid dependsOn for container '{name}'. Condition HEALTHY needs a healthCheck on container '{target}'.");
        }
    }
}
