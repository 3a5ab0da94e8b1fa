using Orchestrator.Cli.Commands;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>orch image import</c>'s pure parts: the registry argument, the names pushed, docker load's output.</summary>
public sealed class ImageCommandsTests
{
    [Theory]
    [InlineData("nginx:1.27", "127.0.0.1:5000/nginx:1.27")]
    [InlineData("library/nginx:1.27", "127.0.0.1:5000/library/nginx:1.27")]
    [InlineData("registry.example.com/team/app:1", "127.0.0.1:5000/team/app:1")]
    [InlineData("other:5000/team/app:1", "127.0.0.1:5000/team/app:1")]
    [InlineData("localhost/app:2", "127.0.0.1:5000/app:2")]
    [InlineData("team/app:1", "127.0.0.1:5000/team/app:1")]
    public void Target_KeepsThePathAndTag_UnderTheRegistry(string image, string expected) =>
        Assert.Equal(expected, ImageCommands.Target("127.0.0.1:5000", image));

    [Theory]
    [InlineData("registry.local:5000", true)]
    [InlineData("10.0.0.5:5000/mirror", true)]
    [InlineData("https://registry.local:5000", false)]
    [InlineData("registry.local:5000/mirror:1", false)]
    [InlineData("registry local", false)]
    [InlineData("", false)]
    public void ValidRegistry_IsHostPortAndAnOptionalPrefix(string registry, bool valid) =>
        Assert.Equal(valid, ImageCommands.ValidRegistry(registry));

    [Fact]
    public void LoadedImages_AreTheNamedOnes_AndTheUnnamedAreCounted()
    {
        var images = ImageCommands.LoadedImages("Loaded image: nginx:1.27\nLoaded image: team/app:1\nLoaded image ID: sha256:0123\nLoaded image: nginx:1.27\n", out var untagged);

        Assert.Equal(["nginx:1.27", "team/app:1"], images);
        Assert.Equal(1, untagged);
    }
}
