using System.Diagnostics;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>
/// The linux-x64 offline bundle (deploy/bundle.sh linux-x64), built once for the class, packed and unpacked again as
/// a user would: <see cref="Directory"/> is the unpacked bundle. <c>ORCH_BUNDLE=…/orch-….tar.gz</c> reuses one built
/// before (CI builds it once, only for linux-x64: the three RIDs take several minutes more).
/// </summary>
public sealed class OfflineBundle : IAsyncLifetime
{
    private readonly DirectoryInfo _root = System.IO.Directory.CreateTempSubdirectory("orch-bundle-");

    /// <summary>The unpacked bundle (install.sh, SHA256SUMS, bin/linux-x64, images/linux-amd64, …).</summary>
    public string Directory { get; private set; } = "";

    public string Archive { get; private set; } = "";

    /// <summary>How long bundle.sh took (zero when <c>ORCH_BUNDLE</c> gave one).</summary>
    public TimeSpan BuildTime { get; private set; }

    public string InstallSh => Path.Combine(Directory, "install.sh");

    public async ValueTask InitializeAsync()
    {
        Archive = Environment.GetEnvironmentVariable("ORCH_BUNDLE") ?? "";
        if (Archive.Length == 0)
        {
            var started = Stopwatch.StartNew();
            var built = await Commands.RunAsync("bash", [Path.Combine(Programs.RepositoryRoot, "deploy", "bundle.sh"), "linux-x64"], TimeSpan.FromMinutes(15));
            built.EnsureSuccess();
            BuildTime = started.Elapsed;
            Archive = built.Stdout.Trim().Split('\n')[^1];
        }

        Assert.True(File.Exists(Archive), $"no bundle at {Archive}");
        (await Commands.RunAsync("tar", ["-xzf", Archive, "-C", _root.FullName], TimeSpan.FromMinutes(2))).EnsureSuccess();
        Directory = Assert.Single(System.IO.Directory.GetDirectories(_root.FullName));
    }

    public ValueTask DisposeAsync()
    {
        _root.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
