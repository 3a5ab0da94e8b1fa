using System.Text.RegularExpressions;

namespace Orchestrator.Architecture.Tests;

/// <summary>
/// The top-level folders of each program depend on each other in layers: no folder reaches back up to one that uses
/// it, so each can be read, tested and replaced from the bottom up (docs/ARCHITECTURE.md draws the layers).
/// </summary>
public sealed class FolderDependencyTests
{
    private static Dictionary<string, HashSet<string>> Graph(string program) =>
        FolderGraph.Build(Path.Combine(FolderGraph.RepositoryRoot(), "src", program), $"Orchestrator.{program}");

    [Theory]
    [InlineData("ControlPlane", "Application", "State")]
    [InlineData("Agent", "Engine", "State")]
    public void ProgramFolders_NoDependencyCycle(string program, string user, string used)
    {
        var graph = Graph(program);

        Assert.True(graph.GetValueOrDefault(user)?.Contains(used), $"the graph should see {user} -> {used}");
        Assert.Null(FolderGraph.FindCycle(graph));
    }

    [Theory]
    [InlineData("ControlPlane", "Http", "Application")]
    [InlineData("ControlPlane", "Grpc", "Application")]
    [InlineData("ControlPlane", "Agents", "Tasks")]
    [InlineData("ControlPlane", "Application", "Services")]
    [InlineData("ControlPlane", "Application", "Tasks")]
    [InlineData("ControlPlane", "Services", "Tasks")]
    [InlineData("ControlPlane", "Tasks", "Scheduling")]
    [InlineData("ControlPlane", "Scaling", "Application")]
    [InlineData("ControlPlane", "Scaling", "Schedules")]
    [InlineData("ControlPlane", "Scheduling", "State")]
    [InlineData("ControlPlane", "State", "Networking")]
    [InlineData("ControlPlane", "Agents", "Security")]
    [InlineData("ControlPlane", "Grpc", "Security")]
    [InlineData("ControlPlane", "Http", "Security")]
    [InlineData("ControlPlane", "Application", "Security")]
    [InlineData("Agent", "Engine", "State")]
    [InlineData("Agent", "Session", "Security")]
    [InlineData("Agent", "Registration", "Security")]
    [InlineData("Agent", "Engine", "Awsvpc")]
    [InlineData("Agent", "Session", "Engine")]
    [InlineData("Agent", "Session", "Registration")]
    [InlineData("Agent", "Session", "State")]
    [InlineData("Agent", FolderGraph.Root, "Session")]
    [InlineData("Agent", "Engine", "Metadata")]
    [InlineData("Agent", "Introspection", "Metadata")]
    [InlineData("Agent", "Metadata", "Stats")]
    [InlineData("Agent", "Stats", "State")]
    [InlineData("Agent", FolderGraph.Root, "Introspection")]
    public void ProgramFolders_LowerLayer_NeverUsesHigherOne(string program, string higher, string lower)
    {
        var graph = Graph(program);

        Assert.DoesNotContain(higher, graph.GetValueOrDefault(lower) ?? []);
    }

    [Theory]
    [InlineData("ControlPlane", "Application")] // the application sees agents only through Tasks/IAgentConnections and ITaskDispatch
    [InlineData("ControlPlane", "Services")]
    [InlineData("ControlPlane", "Tasks")]
    [InlineData("ControlPlane", "Scheduling")]
    public void ControlPlane_BelowTheFrontEnds_NeverSeesAgentSessions(string program, string folder)
    {
        Assert.DoesNotContain("Agents", Graph(program).GetValueOrDefault(folder) ?? []);
    }

    [Theory]
    [InlineData("Engine")]
    [InlineData("State")]
    public void AgentEngineAndState_NeverSeeTheProtocol(string folder)
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

    [Fact]
    public void Build_UsingLinesQualifiedAndSiblingNames_AllCount()
    {
        var root = Directory.CreateTempSubdirectory("orch-folders-");
        try
        {
            foreach (var folder in new[] { "A", "B", "C" })
            {
                Directory.CreateDirectory(Path.Combine(root.FullName, folder));
            }

            File.WriteAllText(Path.Combine(root.FullName, "A", "X.cs"), "using P.B;\nnamespace P.A;\nclass X { }\n");
            File.WriteAllText(Path.Combine(root.FullName, "B", "Y.cs"), "namespace P.B;\nclass Y { P.C.Z? z; }\n");
            File.WriteAllText(Path.Combine(root.FullName, "C", "Z.cs"), "namespace P.C;\nclass Z { A.X? x; }\n");

            var graph = FolderGraph.Build(root.FullName, "P");

            Assert.Equal("A -> B -> C -> A", FolderGraph.FindCycle(graph));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}

/// <summary>
/// Which top-level folder of a project uses which, read from its sources: every <c>Prefix.Folder</c> in using lines and
/// qualified names (the file's own namespace line aside), and every name qualified by a sibling folder alone
/// (<c>Awsvpc.AwsvpcTask</c>, which C# resolves from inside the project's namespace). Files directly in the project
/// folder are <c>ROOT</c>.
/// </summary>
internal static partial class FolderGraph
{
    public const string Root = "ROOT";

    public static Dictionary<string, HashSet<string>> Build(string projectDirectory, string namespacePrefix)
    {
        var files = Directory.EnumerateFiles(projectDirectory, "*.cs", SearchOption.AllDirectories)
            .Select(f => (Path: f, Relative: Path.GetRelativePath(projectDirectory, f).Split(Path.DirectorySeparatorChar)))
            .Where(f => f.Relative[0] is not ("bin" or "obj"))
            .Select(f => (f.Path, Folder: f.Relative.Length == 1 ? Root : f.Relative[0]))
            .ToList();

        // A folder's name followed by one of its types (Ports.DynamicPortRange) is that folder; followed by anything
        // else (Services.Values, a property that happens to share the name) it is not.
        var types = files.Where(f => f.Folder != Root).GroupBy(f => f.Folder).ToDictionary(
            g => g.Key,
            g => g.SelectMany(f => TypeDeclaration().Matches(File.ReadAllText(f.Path)).Select(m => m.Groups["name"].Value)).ToHashSet(StringComparer.Ordinal));
        var folders = string.Join('|', types.Keys);
        var mention = new Regex($@"\b{Regex.Escape(namespacePrefix)}\.(?<folder>[A-Z]\w*)|(?<![\w.])(?<sibling>{folders})\.(?<type>[A-Z]\w*)");
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (path, folder) in files)
        {
            var uses = graph.TryGetValue(folder, out var found) ? found : graph[folder] = [];
            foreach (var line in File.ReadLines(path).Select(l => l.TrimStart()).Where(l => !l.StartsWith("namespace ", StringComparison.Ordinal) && !l.StartsWith("//", StringComparison.Ordinal)))
            {
                foreach (Match match in mention.Matches(line))
                {
                    var target = match.Groups["folder"].Success ? match.Groups["folder"].Value
                        : types[match.Groups["sibling"].Value].Contains(match.Groups["type"].Value) ? match.Groups["sibling"].Value
                        : null;
                    if (target is not null && target != folder)
                    {
                        uses.Add(target);
                    }
                }
            }
        }

        return graph;
    }

    [GeneratedRegex(@"\b(class|record|struct|interface|enum)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

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
