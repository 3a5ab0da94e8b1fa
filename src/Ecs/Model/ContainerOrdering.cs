namespace Orchestrator.Ecs.Model;

/// <summary>
/// The order a task's containers must start in: their <c>dependsOn</c>, plus what links and volumesFrom imply (as the
/// ECS agent does): a linked container must have started (START), a volumesFrom source must exist (<see cref="Create"/>).
/// </summary>
public static class ContainerOrdering
{
    /// <summary>Not an ECS condition: the dependency has been created (implied by volumesFrom).</summary>
    public const string Create = "CREATE";

    public static IReadOnlyList<ContainerDependency> Of(ContainerDefinition container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var edges = new List<ContainerDependency>();
        edges.AddRange((container.DependsOn ?? []).Where(d => !string.IsNullOrEmpty(d.ContainerName)));
        edges.AddRange((container.Links ?? []).Select(l => new ContainerDependency { ContainerName = LinkTarget(l), Condition = ContainerConditions.Start }));
        edges.AddRange((container.VolumesFrom ?? [])
            .Where(v => !string.IsNullOrEmpty(v.SourceContainer))
            .Select(v => new ContainerDependency { ContainerName = v.SourceContainer, Condition = Create }));
        return edges;
    }

    /// <summary>The container a link names: <c>name</c> of <c>name:alias</c>.</summary>
    public static string LinkTarget(string link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var colon = link.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? link : link[..colon];
    }

    /// <summary>The alias a link gives: <c>alias</c> of <c>name:alias</c>, else the name itself.</summary>
    public static string LinkAlias(string link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var colon = link.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? link : link[(colon + 1)..];
    }

    /// <summary>A cycle among the containers' ordering edges, as the names along it (<c>a, b, a</c>); null when there is none.</summary>
    public static IReadOnlyList<string>? FindCycle(IReadOnlyList<ContainerDefinition> containers)
    {
        ArgumentNullException.ThrowIfNull(containers);
        var edges = containers.Where(c => c.Name is not null).DistinctBy(c => c.Name).ToDictionary(
            c => c.Name!, c => Of(c).Select(d => d.ContainerName!).Distinct().ToList(), StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var path = new List<string>();
        foreach (var start in edges.Keys)
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string name)
        {
            if (state.GetValueOrDefault(name) == 2 || !edges.ContainsKey(name))
            {
                return null;
            }

            if (state.GetValueOrDefault(name) == 1)
            {
                return [.. path.Skip(path.IndexOf(name)), name];
            }

            state[name] = 1;
            path.Add(name);
            foreach (var next in edges[name])
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[name] = 2;
            return null;
        }
    }
}
