using System.Diagnostics;

namespace Orchestrator.Lab;

/// <summary>Runs short-lived programs (ip, iptables, nsenter, orch …) to completion, every one time-boxed.</summary>
public static class Commands
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs the program; a program still running after <paramref name="timeout"/> is killed and reported as exit code 124 (as timeout(1) does).</summary>
    public static async Task<CommandResult> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(fileName, arguments, environment, out var command);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return new CommandResult(command, 124, await stdout, $"{await stderr}\n(killed after {timeout ?? DefaultTimeout})");
        }

        return new CommandResult(command, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The synchronous form, for teardown from a process-exit handler.</summary>
    public static CommandResult Run(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        using var process = Start(fileName, arguments, null, out var command);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? DefaultTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new CommandResult(command, 124, stdout.Result, stderr.Result + $"\n(killed after {timeout ?? DefaultTimeout})");
        }

        process.WaitForExit(); // drains the redirected streams
        return new CommandResult(command, process.ExitCode, stdout.Result, stderr.Result);
    }

    private static Process Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, out string command)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            if (value.Length == 0)
            {
                info.Environment.Remove(name); // an empty value unsets the variable
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        command = string.Join(' ', [fileName, .. info.ArgumentList]);
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start " + command);
        process.StandardInput.Close();
        return process;
    }
}
