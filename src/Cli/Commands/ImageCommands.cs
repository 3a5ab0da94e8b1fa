using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orch image import ARCHIVE --registry HOST:PORT</c>: fills a local registry from an offline archive (what
/// <c>docker save</c> wrote) for sites without Internet, through the local Docker engine: <c>docker load</c>, then
/// each loaded image tagged under the registry (its own registry host, if any, replaced) and pushed. Docker's own
/// login (<c>docker login HOST:PORT</c>) and trust (<c>/etc/docker/certs.d</c>) apply; the control plane is not called.
/// </summary>
internal static class ImageCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("image", "Images for air-gapped sites: fill a local registry from an archive");
        command.Subcommands.Add(ImportCommand(runner));
        return command;
    }

    private static Command ImportCommand(CommandRunner runner)
    {
        var archive = new Argument<string>("archive") { Description = "An image archive written by 'docker save' (tar, or tar.gz)" };
        var registry = new Option<string>("--registry") { Description = "The registry to push to: HOST:PORT, or HOST:PORT/PREFIX", Required = true };
        var docker = new Option<string>("--docker") { Description = "The docker command to use", DefaultValueFactory = _ => "docker" };
        var command = new Command("import", "Load an image archive into the local Docker engine, tag each image under a registry and push it") { archive, registry, docker };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var target = invocation.Get(registry).TrimEnd('/');
            if (!ValidRegistry(target))
            {
                throw new CliException(ExitCodes.UsageError, $"--registry must be HOST[:PORT][/PREFIX] without a scheme, not '{target}'.");
            }

            var path = invocation.Get(archive);
            if (!File.Exists(path))
            {
                throw CliException.Local($"The archive {path} does not exist.");
            }

            var dockerCommand = invocation.Get(docker);
            var loaded = await DockerAsync(dockerCommand, ["load", "--input", path], cancellationToken);
            var images = LoadedImages(loaded, out var untagged);
            if (untagged > 0)
            {
                invocation.Output.Error($"orch: {untagged} image(s) in the archive have no name (saved by ID) and are not pushed; save them by name:tag.");
            }

            if (images.Count == 0)
            {
                throw CliException.Local($"The archive {path} holds no named image (docker load said: {Cut(loaded)}).");
            }

            var pushed = new List<(string Source, string Target)>();
            foreach (var image in images)
            {
                var reference = Target(target, image);
                invocation.Output.Progress($"pushing {image} as {reference}");
                await DockerAsync(dockerCommand, ["tag", image, reference], cancellationToken);
                await DockerAsync(dockerCommand, ["push", reference], cancellationToken);
                pushed.Add((image, reference));
            }

            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(new JsonObject { ["images"] = new JsonArray([.. pushed.Select(p => (JsonNode)new JsonObject { ["source"] = p.Source, ["image"] = p.Target })]) });
            }
            else
            {
                foreach (var (source, reference) in pushed)
                {
                    invocation.Output.Line($"{reference}  (from {source})");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>HOST[:PORT][/PREFIX]</c>: no scheme, no spaces, no tag or digest.</summary>
    internal static bool ValidRegistry(string registry) =>
        registry.Length is > 0 and <= 255
        && !registry.Contains("://", StringComparison.Ordinal)
        && !registry.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '@')
        && registry.Split('/')[0].Length > 0
        && !registry.Split('/').Skip(1).Any(p => p.Length == 0 || p.Contains(':', StringComparison.Ordinal));

    /// <summary>
    /// The name an image gets in the registry: its repository path and tag under <paramref name="registry"/>, its own
    /// registry host (a first part with a dot or colon, or <c>localhost</c>) dropped: <c>nginx:1.27</c> →
    /// <c>HOST:PORT/nginx:1.27</c>, <c>registry.example.com/team/app:1</c> → <c>HOST:PORT/team/app:1</c>.
    /// </summary>
    internal static string Target(string registry, string image)
    {
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        var path = image;
        if (slash > 0)
        {
            var first = image[..slash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                path = image[(slash + 1)..];
            }
        }

        return $"{registry}/{path}";
    }

    /// <summary>The names <c>docker load</c> reported (<c>Loaded image: NAME:TAG</c>), and how many it loaded by ID only.</summary>
    internal static List<string> LoadedImages(string output, out int untagged)
    {
        untagged = 0;
        var images = new List<string>();
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("Loaded image ID: ", StringComparison.Ordinal))
            {
                untagged++;
            }
            else if (line.StartsWith("Loaded image: ", StringComparison.Ordinal) && line["Loaded image: ".Length..].Trim() is { Length: > 0 } name && !images.Contains(name))
            {
                images.Add(name);
            }
        }

        return images;
    }

    /// <summary>Runs docker to its end; its standard output, or a failure with what it said on standard error.</summary>
    private static async Task<string> DockerAsync(string docker, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(docker) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw CliException.Local($"{docker} could not be started.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw CliException.Local($"{docker} could not be started: {e.Message}");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var output = await stdout;
            var error = await stderr;
            return process.ExitCode == 0
                ? output
                : throw CliException.Local($"{docker} {arguments[0]} failed (exit code {process.ExitCode}): {Cut(error.Length > 0 ? error : output)}");
        }
    }

    private static string Cut(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length > 500 ? trimmed[..500] + "…" : trimmed;
    }
}
