namespace Orchestrator.Lab;

/// <summary>Where the built programs are: artifacts/bin/&lt;project&gt;/&lt;configuration of this test build&gt;/.</summary>
public static class Programs
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>"debug" or "release", the same as this test assembly was built in.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Name;

    public static string ControlPlane => Dll("ControlPlane", "ControlPlane");
    public static string Agent => Dll("Agent", "Agent");
    public static string Cli => Dll("Cli", "orch");

    /// <summary>tests/Benchmarks (bench/scale.sh runs its --scale mode).</summary>
    public static string Benchmarks => Dll("Benchmarks", "Benchmarks");

    public static string Example(string name) => Path.Combine(RepositoryRoot, "examples", name);

    private static string Dll(string project, string name)
    {
        var path = Path.Combine(RepositoryRoot, "artifacts", "bin", project, Configuration, name + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built; build the solution first.", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Orchestrator.sln not found above " + AppContext.BaseDirectory);
    }
}
