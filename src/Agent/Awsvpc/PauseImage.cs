using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Orchestrator.Agent.Awsvpc;

/// <summary>
/// The image of the pause container that holds an awsvpc task's network namespace: the pause program shipped with
/// the agent (<c>pause/pause</c>, a static binary built from <c>Pause/pause.c</c>) as its only file. The agent makes
/// the image itself and loads it into Docker (<c>docker load</c>); it is never pulled. Its tag is the program's hash,
/// so a new program is a new image and an unchanged one is loaded once.
/// </summary>
public sealed class PauseImage
{
    public const string Repository = "orch/pause";

    /// <summary>Where the agent's build puts the program, relative to the agent.</summary>
    public static string DefaultProgramPath => Path.Combine(AppContext.BaseDirectory, "pause", "pause");

    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    private readonly byte[] _program;

    private PauseImage(byte[] program)
    {
        _program = program;
        Name = $"{Repository}:{Convert.ToHexStringLower(SHA256.HashData(program))[..12]}";
    }

    /// <summary><c>orch/pause:&lt;12 hex digits of the program's SHA-256&gt;</c>.</summary>
    public string Name { get; }

    public static PauseImage FromProgram(byte[] program)
    {
        ArgumentNullException.ThrowIfNull(program);
        return new PauseImage(program);
    }

    /// <summary>Reads the program; a missing or unreadable file is an <see cref="IOException"/> naming it.</summary>
    public static PauseImage FromFile(string path)
    {
        try
        {
            return new PauseImage(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"the pause program {path} cannot be read ({e.Message}); the agent's build makes it from src/Agent/Pause/pause.c with gcc", e);
        }
    }

    /// <summary>
    /// The image as <c>docker save</c> writes it (and <c>docker load</c> reads it): one layer holding <c>/pause</c>,
    /// its config (entrypoint <c>/pause</c>) and a manifest tagging it <see cref="Name"/>. The same program always
    /// gives the same bytes, so the same image ID.
    /// </summary>
    public byte[] Archive()
    {
        var layer = Tar(("pause", _program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute));
        var diffId = Convert.ToHexStringLower(SHA256.HashData(layer));
        var config = JsonSerializer.SerializeToUtf8Bytes(new
        {
            architecture = Architecture(),
            os = "linux",
            created = "1970-01-01T00:00:00Z",
            config = new { Entrypoint = new[] { "/pause" }, Labels = new Dictionary<string, string> { ["org.opencontainers.image.title"] = "orch pause" } },
            rootfs = new { type = "layers", diff_ids = new[] { $"sha256:{diffId}" } },
            history = new[] { new { created = "1970-01-01T00:00:00Z", created_by = "the orchestrator agent: its pause program" } },
        });
        var configName = $"{Convert.ToHexStringLower(SHA256.HashData(config))}.json";
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new[]
        {
            new { Config = configName, RepoTags = new[] { Name }, Layers = new[] { $"{diffId}/layer.tar" } },
        });
        var readOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        return Tar(($"{diffId}/layer.tar", layer, readOnly), (configName, config, readOnly), ("manifest.json", manifest, readOnly));
    }

    /// <summary>Docker's name for this machine's architecture (the program is built for the machine that builds the agent).</summary>
    private static string Architecture() => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        _ => "amd64",
    };

    private static byte[] Tar(params (string Name, byte[] Content, UnixFileMode Mode)[] files)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, content, mode) in files)
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(content, writable: false),
                    Mode = mode,
                    ModificationTime = Epoch,
                });
            }
        }

        return output.ToArray();
    }

    public override string ToString() => Name;
}
