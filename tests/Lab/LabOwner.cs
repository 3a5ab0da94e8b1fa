using System.Globalization;

namespace Orchestrator.Lab;

/// <summary>
/// Which process a lab belongs to, recorded in <c>/tmp/olabXXXX/owner</c> as "pid start-time" before anything else of
/// the lab is created: a lab whose owner is no longer running (a test process killed by a timeout or a crash) is
/// debris, whatever its state. The start time guards against a reused pid.
/// </summary>
internal static class LabOwner
{
    private const string FileName = "owner";

    public static void Write(LabId id) =>
        File.WriteAllText(Path.Combine(id.Directory, FileName), $"{Environment.ProcessId} {StartTime(Environment.ProcessId)}\n");

    /// <summary>True when the lab's owner file names a process that still runs.</summary>
    public static bool IsAlive(LabId id)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(id.Directory, FileName));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && StartTime(pid) is { } started
            && started == parts[1];
    }

    /// <summary>Field 22 of /proc/PID/stat (clock ticks since boot), or null when there is no such process.</summary>
    internal static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may contain spaces and parentheses; the fields after its last ')' start at 3.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields[19] : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
