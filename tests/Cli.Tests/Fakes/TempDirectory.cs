namespace Orchestrator.Cli.Tests.Fakes;

/// <summary>A fresh directory under the system's temp folder, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "orch-cli-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="name"/> (folders created), readable by its owner only (as a
    /// config file with a secret should be), and returns its full path.
    /// </summary>
    public string Write(string name, string text)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
