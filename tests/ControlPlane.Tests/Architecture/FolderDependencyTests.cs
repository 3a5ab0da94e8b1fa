using System.Text.RegularExpressions;

namespace Orchestrator.ControlPlane.Tests.Architecture;

/// <summary>
/// Dependencies between the top-level folders of each program go one way: a folder that names another folder's
/// namespace (in a using line or a qualified name) depends on it, and no chain of such dependencies comes back.
/// Files directly in the program's folder (the composition root) are left out: they wire everything.
/// </summary>
public sealed partial class FolderDependencyTests
{
    [Theory]
    [InlineData("ControlPlane")]
    [InlineData("Agent")]
    public void Program_FolderDependencies_HaveNoCycle(string program)
    {
        var graph = FolderGraph.Read(Path.Combine(RepositoryRoot(), "src", program), $"Orchestrator.{program}");

        Assert.NotEmpty(graph);
        Assert.Null(FolderGraph.FindCycle(graph));
    }

    [Fact]
    public void FindCycle_TwoFoldersNamingEachOther_NamesTheCycle()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["Api"] = ["Core"],
            ["Core"] = ["Store"],
            ["Store"] = ["Core"],
        };

        Assert.Equal("Core -> Store -> Core", FolderGraph.FindCycle(graph));
    }

    [Fact]
    public void Read_UsingAndQualifiedNames_CountAsDependencies()
    {
        var root = Directory.CreateTempSubdirectory("orch-folders-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "A"));
            Directory.CreateDirectory(Path.Combine(root.FullName, "B"));
            File.WriteAllText(Path.Combine(root.FullName, "A", "X.cs"), "using P.B;\nnamespace P.A;\nclass X { }\n");
            File.WriteAllText(Path.Combine(root.FullName, "B", "Y.cs"), "namespace P.B;\nclass Y { P.A.X? x; }\n");

            var graph = FolderGraph.Read(root.FullName, "P");

            Assert.Equal("A -> B -> A", FolderGraph.FindCycle(graph));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Orchestrator.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Orchestrator.sln was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Reads a program's folder graph and finds a cycle in it.</summary>
    private static partial class FolderGraph
    {
        public static Dictionary<string, HashSet<string>> Read(string programDirectory, string rootNamespace)
        {
            var mention = new Regex(Regex.Escape(rootNamespace) + @"\.([A-Z][A-Za-z0-9]*)");
            var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var folder in Directory.GetDirectories(programDirectory).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
            {
                var name = Path.GetFileName(folder);
                var uses = graph[name] = new HashSet<string>(StringComparer.Ordinal);
                foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
                {
                    foreach (var line in File.ReadLines(file).Where(l => !l.TrimStart().StartsWith("namespace ", StringComparison.Ordinal)))
                    {
                        foreach (Match match in mention.Matches(line))
                        {
                            var target = match.Groups[1].Value;
                            if (target != name && Directory.Exists(Path.Combine(programDirectory, target)))
                            {
                                uses.Add(target);
                            }
                        }
                    }
                }
            }

            return graph;
        }

        /// <summary>The first cycle found, as <c>A -> B -> A</c>; null when there is none.</summary>
        public static string? FindCycle(IReadOnlyDictionary<string, HashSet<string>> graph)
        {
            var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
            var path = new List<string>();
            foreach (var start in graph.Keys.Order(StringComparer.Ordinal))
            {
                if (Visit(start) is { } cycle)
                {
                    return cycle;
                }
            }

            return null;

            string? Visit(string node)
            {
                switch (state.GetValueOrDefault(node))
                {
                    case 1:
                        return string.Join(" -> ", path.Skip(path.IndexOf(node)).Append(node));
                    case 2:
                        return null;
                }

                state[node] = 1;
                path.Add(node);
                foreach (var next in graph.GetValueOrDefault(node, []).Order(StringComparer.Ordinal))
                {
                    if (Visit(next) is { } cycle)
                    {
                        return cycle;
                    }
                }

                path.RemoveAt(path.Count - 1);
                state[node] = 2;
                return null;
            }
        }
    }
}
