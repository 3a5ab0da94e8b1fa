using System.Diagnostics;
using System.Text;

namespace Orchestrator.Lab;

/// <summary>A program under test (or a daemon the lab needs) as a child process, its output kept for diagnostics.</summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    /// <summary>Output beyond this many characters drops its oldest half: a long chaos test must not grow without bound.</summary>
    private const int MaxOutput = 4 * 1024 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ManagedProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet <paramref name="dll"/> …</c>.</summary>
    public static ManagedProcess Start(string name, string dll, IEnumerable<string> arguments) =>
        StartProgram(name, "dotnet", [dll, .. arguments]);

    /// <summary>Starts any program found on PATH (or by full path) with these arguments, output captured.</summary>
    public static ManagedProcess StartProgram(string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(name, process);
        process.OutputDataReceived += (_, e) => managed.Append(e.Data);
        process.ErrorDataReceived += (_, e) => managed.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Raised for each line of output as it is read, with the time it was read.</summary>
    public event Action<string, DateTimeOffset>? LineRead;

    /// <summary>SIGINT, as Ctrl-C in a terminal sends.</summary>
    public void Interrupt()
    {
        if (!_process.HasExited)
        {
            _ = Native.Kill(_process.Id, Native.SIGINT);
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of output.</summary>
    public string OutputTail(int lines)
    {
        var all = Output.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines - 1)));
    }

    /// <summary>SIGTERM, as systemd or Ctrl-C would stop it, then wait for it to exit; SIGKILL and throw after the timeout.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (!await TryStopAsync(timeout))
        {
            throw new TimeoutException($"{Name} did not exit within {timeout} of SIGTERM.\n{OutputTail(100)}");
        }
    }

    /// <summary>SIGTERM and wait; when it has not exited after <paramref name="timeout"/>, SIGKILL. True when it exited on its own.</summary>
    public async Task<bool> TryStopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return true;
        }

        _ = Native.Kill(_process.Id, Native.SIGTERM);
        if (await WaitForExitAsync(timeout))
        {
            return true;
        }

        KillHard();
        return false;
    }

    /// <summary>SIGKILL the process and its descendants: no chance to clean up, as after a crash or power loss.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>Waits for the process to exit; false when it still runs after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        KillHard();
        await Task.CompletedTask;
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        LineRead?.Invoke(line, DateTimeOffset.UtcNow);
        lock (_output)
        {
            if (_output.Length > MaxOutput)
            {
                _output.Remove(0, _output.Length / 2);
            }

            // The time it was read, so the lines of several processes (agents, dockerd, control plane) can be put in order.
            _output.Append(DateTime.UtcNow.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture))
                .Append(" [").Append(Name).Append("] ").AppendLine(line);
        }
    }
}
