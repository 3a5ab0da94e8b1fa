using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>A program under test, started with `dotnet`, its output kept for diagnostics.</summary>
public sealed partial class ManagedProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ManagedProcess(Process process) => this.process = process;

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static ManagedProcess Start(string name, string dll, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process);
        process.OutputDataReceived += (_, e) => managed.Append(name, e.Data);
        process.ErrorDataReceived += (_, e) => managed.Append(name, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>SIGTERM, as systemd or Ctrl-C would stop it, then wait for it to exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (!process.HasExited)
        {
            _ = Kill(process.Id, 15);
            using var wait = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                KillHard();
                throw new TimeoutException($"The process did not exit within {timeout} of SIGTERM.\n{Output}");
            }
        }
    }

    /// <summary>SIGKILL: no chance to clean up, as after a crash or power loss of the process.</summary>
    public void KillHard()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        KillHard();
        await Task.CompletedTask;
        process.Dispose();
    }

    private void Append(string name, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Append('[').Append(name).Append("] ").AppendLine(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
