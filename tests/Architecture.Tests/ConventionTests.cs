namespace Orchestrator.Architecture.Tests;

/// <summary>
/// One logging convention across every program's sources: [LoggerMessage] methods live in a <c>Foo.Log.cs</c>
/// partial next to <c>Foo.cs</c>. (The private-field convention, <c>_camelCase</c>, is .editorconfig's naming rule,
/// which every build enforces.)
/// </summary>
public sealed class ConventionTests
{
    private static IEnumerable<string> Sources() =>
        Directory.EnumerateFiles(Path.Combine(FolderGraph.RepositoryRoot(), "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [Fact]
    public void LoggerMessages_OnlyInLogPartials()
    {
        var elsewhere = Sources().Where(f => !f.EndsWith(".Log.cs", StringComparison.Ordinal) && File.ReadAllText(f).Contains("[LoggerMessage", StringComparison.Ordinal));

        Assert.Empty(elsewhere);
    }
}
