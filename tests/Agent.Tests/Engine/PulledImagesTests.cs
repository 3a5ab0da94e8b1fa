using Orchestrator.Agent.Engine;

namespace Orchestrator.Agent.Tests.Engine;

/// <summary>
/// The <c>once</c> pull behaviour's memory: what one agent process pulled, a later one (same data directory) knows;
/// the file holds image references only, one a line; references that could break the file are not kept.
/// </summary>
public sealed class PulledImagesTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("orch-pulled-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public void Pulled_IsKnownAfterARestart_AndTheFileHoldsReferencesOnly()
    {
        var before = new PulledImages(_dataDir);
        before.Add("registry.test:5000/team/app:1");
        before.Add("registry.test:5000/team/app:1");
        before.Add("nginx:1.27");
        before.Add("bad image\nname");

        var after = new PulledImages(_dataDir);

        Assert.True(after.Contains("registry.test:5000/team/app:1"));
        Assert.True(after.Contains("nginx:1.27"));
        Assert.False(after.Contains("busybox:1"));
        Assert.Equal(["registry.test:5000/team/app:1", "nginx:1.27"], File.ReadAllLines(Path.Combine(_dataDir, PulledImages.FileName)));
    }

    [Fact]
    public void WithoutADataDirectory_ItRemembersInMemoryOnly()
    {
        var pulled = new PulledImages();
        pulled.Add("nginx:1.27");

        Assert.True(pulled.Contains("nginx:1.27"));
        Assert.Empty(Directory.GetFiles(_dataDir));
    }
}
