using System.Text.RegularExpressions;

namespace Orchestrator.Agent.Tests.Architecture;

/// <summary>One private-field convention and one logging convention across the agent's sources.</summary>
public sealed partial class ConventionTests
{
    private static IEnumerable<string> Sources() =>
        Directory.EnumerateFiles(Path.Combine(FolderGraph.RepositoryRoot(), "src", "Agent"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [Fact]
    public void LoggerMessages_OnlyInLogPartials()
    {
        var elsewhere = Sources().Where(f => !f.EndsWith(".Log.cs", StringComparison.Ordinal) && File.ReadAllText(f).Contains("[LoggerMessage", StringComparison.Ordinal));

        Assert.Empty(elsewhere);
    }

    [Fact]
    public void PrivateInstanceFields_UnderscoreCamelCase()
    {
        var offending = Sources()
            .SelectMany(f => File.ReadLines(f).Select(line => (File: Path.GetFileName(f), Match: PrivateInstanceField().Match(line))))
            .Where(x => x.Match.Success && !x.Match.Groups["name"].Value.StartsWith('_'))
            .Select(x => $"{x.File}: {x.Match.Groups["name"].Value}");

        Assert.Empty(offending);
    }

    [GeneratedRegex(@"^\s*private (?!static|const)(readonly )?[\w<>\[\]?,. ]+? (?<name>\w+)( =[^>]|;)")]
    private static partial Regex PrivateInstanceField();
}
