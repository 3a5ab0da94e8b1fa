using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Orchestrator.Agent.Awsvpc;

namespace Orchestrator.Agent.Tests.Awsvpc;

public sealed class PauseImageTests
{
    private static readonly byte[] Program = [0x7f, (byte)'E', (byte)'L', (byte)'F', 9, 9, 9];

    [Fact]
    public void Name_IsTheProgramsHash()
    {
        var image = PauseImage.FromProgram(Program);

        Assert.Equal($"orch/pause:{Convert.ToHexStringLower(SHA256.HashData(Program))[..12]}", image.Name);
        Assert.NotEqual(image.Name, PauseImage.FromProgram([.. Program, 0]).Name);
    }

    [Fact]
    public void Archive_IsADockerSaveOfOneLayerWithThePauseProgram_TheSameEveryTime()
    {
        var image = PauseImage.FromProgram(Program);

        var archive = image.Archive();

        Assert.Equal(archive, image.Archive());
        var files = Read(archive);
        using var manifest = JsonDocument.Parse(files["manifest.json"]);
        var entry = manifest.RootElement[0];
        Assert.Equal(image.Name, entry.GetProperty("RepoTags")[0].GetString());
        var layerName = entry.GetProperty("Layers")[0].GetString()!;
        var layer = files[layerName];
        using var config = JsonDocument.Parse(files[entry.GetProperty("Config").GetString()!]);
        Assert.Equal($"sha256:{Convert.ToHexStringLower(SHA256.HashData(layer))}", config.RootElement.GetProperty("rootfs").GetProperty("diff_ids")[0].GetString());
        Assert.Equal("/pause", config.RootElement.GetProperty("config").GetProperty("Entrypoint")[0].GetString());
        Assert.Equal("linux", config.RootElement.GetProperty("os").GetString());

        using var reader = new TarReader(new MemoryStream(layer));
        var pause = reader.GetNextEntry()!;
        Assert.Equal(("pause", TarEntryType.RegularFile), (pause.Name, pause.EntryType));
        Assert.True(pause.Mode.HasFlag(UnixFileMode.OtherExecute));
        using var content = new MemoryStream();
        pause.DataStream!.CopyTo(content);
        Assert.Equal(Program, content.ToArray());
        Assert.Null(reader.GetNextEntry());
    }

    [Fact]
    public void FromFile_Missing_SaysHowItIsMade()
    {
        var error = Assert.Throws<IOException>(() => PauseImage.FromFile("/nonexistent/pause"));

        Assert.Contains("the pause program /nonexistent/pause cannot be read", error.Message, StringComparison.Ordinal);
        Assert.Contains("src/Agent/Pause/pause.c", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, byte[]> Read(byte[] archive)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = new TarReader(new MemoryStream(archive));
        while (reader.GetNextEntry() is { } entry)
        {
            using var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            files[entry.Name] = content.ToArray();
        }

        return files;
    }
}
