using System.Text.RegularExpressions;

namespace Orchestrator.Agent.Tests.Architecture;

/// <summary>The agent's top-level folders depend on each other in layers: no folder reaches back up to one that uses it.</summary>
public sealed class FolderDependencyTests
{
    [Fact]
    public void AgentFolders_NoDependencyCycle()
    {
        var graph = FolderGraph.Build(Path.Combine(FolderGraph.RepositoryRoot(), "src", "Agent"), "Orchestrator.Agent");

        Assert.True(graph.ContainsKey("Engine") && graph["Engine"].Contains("State"), "the graph should see Engine -> State");
        Assert.Null(FolderGraph.FindCycle(graph));
    }

    [Theory]
    [InlineData("Engine", "State")]
    [InlineData("Engine", "Awsvpc")]
    [InlineData("Session", "Engine")]
    [InlineData("Session", "Registration")]
    [InlineData("Session", "State")]
    [InlineData(FolderGraph.Root, "Session")]
    public void AgentFolders_LowerLayer_NeverUsesHigherOne(string higher, string lower)
    {
        var graph = FolderGraph.Build(Path.Combine(FolderGraph.RepositoryRoot(), "src", "Agent"), "Orchestrator.Agent");

        Assert.DoesNotContain(higher, graph.GetValueOrDefault(lower) ?? []);
    }

    [Theory]
    [InlineData("Engine")]
    [InlineData("State")]
    public void EngineAndState_NeverSeeTheProtocol(string folder)
    {
        var files = Directory.EnumerateFiles(Path.Combine(FolderGraph.RepositoryRoot(), "src", "Agent", folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("Orchestrator.Contracts", StringComparison.Ordinal))
            .Select(Path.GetFileName);

        Assert.Empty(files);
    }

    [Fact]
    public void FindCycle_ThreeFoldersInARing_NamesTheCycle()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
            ["D"] = ["A"],
        };

        Assert.Equal("A -> B -> C -> A", FolderGraph.FindCycle(graph));
    }
}

/// <summary>
/// Which top-level folder of a project uses which, read from its sources: every <c>Prefix.Folder</c> in using lines and
/// qualified names (the file's own namespace line aside), and every name qualified by a sibling folder alone
/// (<c>Awsvpc.AwsvpcTask</c>, which C# resolves from inside the project's namespace). Files directly in the project
/// folder are <c>ROOT</c>. Self-contained: copy it to check another project (e.g. src/ControlPlane with
/// <c>Orchestrator.ControlPlane</c>).
/// </summary>
internal static class FolderGraph
{
    public const string Root = "ROOT";

    public static Dictionary<string, HashSet<string>> Build(string projectDirectory, string namespacePrefix)
    {
        var folders = string.Join('|', Directory.EnumerateDirectories(projectDirectory).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")));
        var mention = new Regex($@"\b{Regex.Escape(namespacePrefix)}\.(?<folder>[A-Z]\w*)|(?<![\w.])(?<folder>{folders})\.[A-Z]");
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(projectDirectory, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(projectDirectory, file).Split(Path.DirectorySeparatorChar);
            if (relative[0] is "bin" or "obj")
            {
                continue;
            }

            var folder = relative.Length == 1 ? Root : relative[0];
            var uses = graph.TryGetValue(folder, out var found) ? found : graph[folder] = [];
            foreach (var line in File.ReadLines(file).Select(l => l.TrimStart()).Where(l => !l.StartsWith("namespace ", StringComparison.Ordinal) && !l.StartsWith("//", StringComparison.Ordinal)))
            {
                uses.UnionWith(mention.Matches(line).Select(m => m.Groups["folder"].Value).Where(f => f != folder));
            }
        }

        return graph;
    }

    /// <summary>A cycle as <c>A -> B -> A</c>, or null when the graph has none.</summary>
    public static string? FindCycle(IReadOnlyDictionary<string, HashSet<string>> graph)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        string? Visit(string node)
        {
            if (path.IndexOf(node) is var at and >= 0)
            {
                return string.Join(" -> ", path.Skip(at).Append(node));
            }

            if (!done.Add(node))
            {
                return null;
            }

            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node)?.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>())
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        return graph.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(c => c is not null);
    }

    /// <summary>The repository's root: the nearest folder above the test binaries that holds Orchestrator.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Orchestrator.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Orchestrator.sln above {AppContext.BaseDirectory}.");
    }
}
