using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Orchestrator.Agent.Registration;

/// <summary>
/// Finds NVIDIA GPUs as the ECS agent does: their UUIDs from <c>nvidia-smi -L</c>; where nvidia-smi is missing or
/// fails, the device nodes <c>/dev/nvidia0</c>, <c>/dev/nvidia1</c> … give their indexes (which Docker's device
/// requests take as well). No NVIDIA driver: no GPUs.
/// </summary>
public sealed partial class NvidiaGpuProbe(ILogger<NvidiaGpuProbe> logger) : IGpuProbe
{
    private static readonly TimeSpan NvidiaSmiTimeout = TimeSpan.FromSeconds(10);

    public async Task<IReadOnlyList<string>> FindAsync(CancellationToken cancellationToken)
    {
        if (await RunNvidiaSmiAsync(cancellationToken).ConfigureAwait(false) is { } output && ParseNvidiaSmiList(output) is { Count: > 0 } uuids)
        {
            Log.GpusFound(logger, "nvidia-smi", string.Join(", ", uuids));
            return uuids;
        }

        var nodes = Directory.Exists("/dev") ? DeviceNodeIndexes(Directory.EnumerateFiles("/dev", "nvidia*").Select(Path.GetFileName)!) : [];
        if (nodes.Count > 0)
        {
            Log.GpusFound(logger, "/dev/nvidia*", string.Join(", ", nodes));
        }

        return nodes;
    }

    /// <summary>The UUIDs in <c>nvidia-smi -L</c>'s lines <c>GPU 0: NVIDIA A10G (UUID: GPU-…)</c>, in order; MIG lines are not GPUs.</summary>
    public static IReadOnlyList<string> ParseNvidiaSmiList(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return [.. output.Split('\n').Select(line => GpuLine().Match(line)).Where(m => m.Success).Select(m => m.Groups["uuid"].Value)];
    }

    /// <summary>The indexes of the device nodes <c>nvidia0</c>, <c>nvidia1</c> … among <paramref name="names"/> (not nvidiactl, nvidia-uvm …), in order.</summary>
    public static IReadOnlyList<string> DeviceNodeIndexes(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return [.. names.Select(n => DeviceNode().Match(n)).Where(m => m.Success).Select(m => int.Parse(m.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture))
            .Order().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    private async Task<string?> RunNvidiaSmiAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nvidia-smi", "-L")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(NvidiaSmiTimeout);
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return process.ExitCode == 0 ? output : null;
        }
        catch (Win32Exception)
        {
            return null; // no nvidia-smi: no NVIDIA driver, or not on the PATH
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.NvidiaSmiTimedOut(logger, NvidiaSmiTimeout);
            return null;
        }
    }

    [GeneratedRegex(@"^\s*GPU\s+\d+:.*\(UUID:\s*(?<uuid>GPU-[0-9A-Za-z-]+)\)\s*$")]
    private static partial Regex GpuLine();

    [GeneratedRegex(@"^nvidia(?<index>\d+)$")]
    private static partial Regex DeviceNode();
}
