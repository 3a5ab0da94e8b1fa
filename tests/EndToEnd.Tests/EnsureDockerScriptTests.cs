using System.Diagnostics;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// scripts/ensure-docker.sh, which run.sh and test.sh use, run against a stand-in engine (a `dockerd` that only
/// waits, a `docker` that answers once it started): the engine it starts must not share the caller's process group,
/// so Ctrl-C in run.sh's terminal stops the control plane and the agent but never the engine and its containers.
/// </summary>
public sealed class EnsureDockerScriptTests : IDisposable
{
    private readonly DirectoryInfo _fakes = Directory.CreateTempSubdirectory("orch-fake-docker-");

    [Fact(Timeout = 60_000)]
    public async Task EnsureDocker_StartsTheEngine_OutOfTheCallersProcessGroup()
    {
        var started = Path.Combine(_fakes.FullName, "started");
        var pidFile = Path.Combine(_fakes.FullName, "dockerd.pid");
        Write("dockerd", $"#!/bin/sh\necho $$ > '{pidFile}'\ntouch '{started}'\nexec sleep 120\n");
        Write("docker", $"#!/bin/sh\n[ \"$1\" = info ] && [ -e '{started}' ]\n");

        // The script as run.sh runs it from a terminal: in a process group of its own (setsid makes one), whose
        // members all get the SIGINT of a Ctrl-C.
        var info = new ProcessStartInfo("setsid", ["--wait", "bash", "-c", "echo $$ > group; exec bash \"$0\"", Path.Combine(Programs.RepositoryRoot, "scripts", "ensure-docker.sh")])
        {
            WorkingDirectory = _fakes.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["PATH"] = $"{_fakes.FullName}:{Environment.GetEnvironmentVariable("PATH")}";
        info.Environment["ORCH_DOCKERD_LOG"] = Path.Combine(_fakes.FullName, "dockerd.log");
        using var script = Process.Start(info)!;
        await script.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(script.ExitCode == 0, await script.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));

        var engine = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var group = int.Parse(File.ReadAllText(Path.Combine(_fakes.FullName, "group")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(group, ProcessGroupOf(engine));

        // Ctrl-C to the script's process group: the engine keeps running.
        Signal("-INT", $"-{group}");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.True(IsRunning(engine), "the engine died with the caller's process group");
    }

    public void Dispose()
    {
        var pidFile = Path.Combine(_fakes.FullName, "dockerd.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            Signal("-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        _fakes.Delete(recursive: true);
    }

    private void Write(string name, string script)
    {
        var path = Path.Combine(_fakes.FullName, name);
        File.WriteAllText(path, script);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static void Signal(string signal, string target)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [signal, "--", target]) { RedirectStandardError = true })!;
        kill.WaitForExit();
    }

    /// <summary>Field 5 of /proc/PID/stat (after the parenthesised command name).</summary>
    private static int ProcessGroupOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IsRunning(int pid) =>
        File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat") is var stat && stat[(stat.LastIndexOf(')') + 2)] != 'Z';
}
