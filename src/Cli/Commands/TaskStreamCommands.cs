using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Orchestrator.Contracts.Cluster;
using Orchestrator.Ecs.Json;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch task logs</c>, <c>exec</c> and <c>events</c>: a task's output, commands in it (through its agent), and its history.</summary>
internal static class TaskStreamCommands
{
    public static Command Logs(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var task = new Argument<string>("task") { Description = "The task's ID or ARN" };
        var containers = new Option<string[]>("--container", "-c") { Description = "Only this container (repeat for more) [default: all]" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until the task's containers stop (Ctrl-C ends)" };
        var since = DurationOption.Create("--since", "Only lines of the last DURATION, e.g. 10m, 2h");
        var tail = new Option<int?>("--tail") { Description = "Only the last N lines of each container" };
        var timestamps = new Option<bool>("--timestamps") { Description = "Start each line with the time Docker logged it" };
        var command = new Command("logs", "Print a task's container logs, read from its agent (Docker's log)")
        {
            task, cluster, containers, follow, since, tail, timestamps,
        };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new TaskLogsRequest { Cluster = invocation.Get(cluster), Task = invocation.Get(task), Follow = invocation.Get(follow) };
            request.Containers.AddRange(invocation.GetOptional(containers) ?? []);
            if (invocation.GetOptional(since) is { } window)
            {
                request.Since = Timestamp.FromDateTimeOffset(invocation.Time.GetUtcNow() - window);
            }

            if (invocation.GetOptional(tail) is { } lines)
            {
                request.Tail = lines;
            }

            var withTimes = invocation.Get(timestamps);
            // Lines carry their container's name only when several containers' lines are interleaved.
            var prefix = request.Containers.Count > 1;
            if (request.Containers.Count == 0)
            {
                var described = await TaskCommands.DescribeAsync(invocation.Client, request.Cluster, [request.Task], cancellationToken);
                prefix = described.Tasks.FirstOrDefault()?.Containers?.Count > 1;
            }

            var output = invocation.Output;
            try
            {
                await foreach (var line in invocation.Client.TaskLogsAsync(request, cancellationToken))
                {
                    var text = new StringBuilder();
                    if (prefix)
                    {
                        text.Append(line.Container).Append(" | ");
                    }

                    if (withTimes && line.Time is { } time)
                    {
                        text.Append(time.ToDateTime().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
                    }

                    text.Append(Encoding.UTF8.GetString(line.Data.Span).TrimEnd('\n'));
                    output.Line(text.ToString());
                    output.Flush();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: the stream ends on the control plane and the agent too.
            }

            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Stats(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var task = new Argument<string>("task") { Description = "The task's ID or ARN" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Refresh with each new sample until Ctrl-C" };
        var command = new Command("stats", "What a task's containers use: CPU, memory, network and block I/O (sampled by its agent)") { task, cluster, follow };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new TaskStatsRequest { Cluster = invocation.Get(cluster), Task = invocation.Get(task), Follow = invocation.Get(follow) };
            var output = invocation.Output;
            var first = true;
            try
            {
                await foreach (var sample in invocation.Client.TaskStatsAsync(request, cancellationToken))
                {
                    if (output.IsJson)
                    {
                        var document = new JsonObject();
                        if (sample.SampledAt is { } sampledAt)
                        {
                            document["sampledAt"] = IsoTimestampConverter.Text(sampledAt.ToDateTimeOffset()); // absent when unknown, as ECS omits nulls
                        }

                        document["containers"] = new JsonArray([.. sample.Containers.Select(c => (JsonNode)new JsonObject
                        {
                            ["name"] = c.Name, ["cpuPercent"] = Math.Round(c.CpuPercent, 2), ["memoryUsedBytes"] = c.MemoryUsedBytes, ["memoryLimitBytes"] = c.MemoryLimitBytes,
                            ["networkRxBytes"] = c.NetworkRxBytes, ["networkTxBytes"] = c.NetworkTxBytes, ["blockReadBytes"] = c.BlockReadBytes, ["blockWriteBytes"] = c.BlockWriteBytes,
                        })]);
                        output.Json(document);
                    }
                    else
                    {
                        if (!first && request.Follow && !Console.IsOutputRedirected)
                        {
                            output.Line("\u001b[H\u001b[2J"); // a refreshing table, as docker stats
                        }

                        StatsTable(output, sample);
                    }

                    output.Flush();
                    first = false;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C.
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void StatsTable(Output.CommandOutput output, TaskStatsReply sample)
    {
        output.Line($"{"CONTAINER",-20} {"CPU %",7} {"MEM USAGE / LIMIT",-23} {"MEM %",6} {"NET I/O",-21} {"BLOCK I/O",-21}");
        foreach (var c in sample.Containers)
        {
            var memoryPercent = c.MemoryLimitBytes > 0 ? 100.0 * c.MemoryUsedBytes / c.MemoryLimitBytes : 0;
            output.Line(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{c.Name,-20} {c.CpuPercent,6:0.00}% {Bytes(c.MemoryUsedBytes) + " / " + Bytes(c.MemoryLimitBytes),-23} {memoryPercent,5:0.0}% {Bytes(c.NetworkRxBytes) + " / " + Bytes(c.NetworkTxBytes),-21} {Bytes(c.BlockReadBytes) + " / " + Bytes(c.BlockWriteBytes),-21}"));
        }
    }

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.##}GiB"),
        >= 1L << 20 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.##}MiB"),
        >= 1L << 10 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.##}KiB"),
        _ => $"{bytes}B",
    };

    public static Command Events(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var task = new Argument<string>("task") { Description = "The task's ID or ARN" };
        var command = new Command("events", "What happened to a task: placed, pulled, started, health, commands run, stopped") { task, cluster };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var reply = await invocation.Client.TaskEventsAsync(invocation.Get(cluster), invocation.Get(task), cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(new JsonObject
                {
                    ["events"] = new JsonArray([.. reply.Events.Select(e => (JsonNode)new JsonObject { ["at"] = IsoTimestampConverter.Text(e.At.ToDateTimeOffset()), ["message"] = e.Message })]),
                });
                return ExitCodes.Success;
            }

            foreach (var e in reply.Events)
            {
                invocation.Output.Line($"{e.At.ToDateTimeOffset().ToLocalTime():yyyy-MM-dd HH:mm:ss.fff}  {e.Message}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Exec(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var task = new Argument<string>("task") { Description = "The task's ID or ARN" };
        var commandLine = new Argument<string[]>("command") { Description = "The program and its arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var container = new Option<string>("--container", "-c") { Description = "The container [default: the task's only one]" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Pass this terminal's input to the command" };
        var tty = new Option<bool>("--tty", "-t") { Description = "Run the command under a pseudo-terminal (with -i: an interactive shell)" };
        var command = new Command("exec", "Run a command in a task's container (needs enableExecuteCommand; exit code is the command's)")
        {
            task, commandLine, cluster, container, interactive, tty,
        };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var useTty = invocation.Get(tty);
            var useStdin = invocation.Get(interactive);
            var start = new ExecStart
            {
                Cluster = invocation.Get(cluster),
                Task = invocation.Get(task),
                Container = invocation.GetOptional(container) ?? "",
                Tty = useTty,
                Stdin = useStdin,
            };
            start.Command.AddRange(invocation.Get(commandLine));
            var size = TerminalSize();
            if (useTty && size is { } s)
            {
                start.Size = s;
            }

            using var call = invocation.Client.ExecuteCommand(cancellationToken);
            var writing = new SemaphoreSlim(1, 1);
            async Task SendAsync(ExecInput input)
            {
                await writing.WaitAsync(cancellationToken);
                try
                {
                    await call.RequestStream.WriteAsync(input, cancellationToken);
                }
                finally
                {
                    writing.Release();
                }
            }

            await SendAsync(new ExecInput { Start = start });
            using var raw = useTty && useStdin ? RawTerminal.Enter() : null;
            using var resize = useTty && !OperatingSystem.IsWindows() ? OnResize(() =>
            {
                if (TerminalSize() is { } now)
                {
                    _ = SendAsync(new ExecInput { Resize = now });
                }
            }) : null;
            // Input is passed on until it ends or the command does; without -i the command's input is closed at once.
            _ = useStdin ? PumpStdinAsync(SendAsync, cancellationToken) : call.RequestStream.CompleteAsync();

            var stdout = Console.OpenStandardOutput();
            var stderr = Console.OpenStandardError();
            int? exitCode = null;
            while (await invocation.Client.NextAsync(call.ResponseStream, "ExecuteCommand", cancellationToken) is { } output)
            {
                if (output.HasExitCode)
                {
                    exitCode = output.ExitCode;
                    continue;
                }

                var target = output.Fd == 2 ? stderr : stdout;
                await target.WriteAsync(output.Data.Memory, cancellationToken);
                await target.FlushAsync(cancellationToken);
            }

            return exitCode ?? ExitCodes.Failure;
        });
        return command;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static PosixSignalRegistration OnResize(Action resized) => PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => resized());

    private static async Task PumpStdinAsync(Func<ExecInput, Task> send, CancellationToken cancellationToken)
    {
        var stdin = Console.OpenStandardInput();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await stdin.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                await send(new ExecInput { Stdin = ByteString.CopyFrom(buffer, 0, read) });
            }

            await send(new ExecInput { CloseStdin = true });
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or Grpc.Core.RpcException)
        {
            // The command ended first.
        }
    }

    private static Contracts.Cluster.TerminalSize? TerminalSize()
    {
        try
        {
            return Console.IsOutputRedirected ? null : new Contracts.Cluster.TerminalSize { Rows = (uint)Console.WindowHeight, Columns = (uint)Console.WindowWidth };
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>This terminal in raw mode (no echo, no line editing, keys as typed) until disposed, as docker exec -it does.</summary>
    private sealed class RawTerminal : IDisposable
    {
        private readonly string _saved;

        private RawTerminal(string saved) => _saved = saved;

        public static RawTerminal? Enter()
        {
            if (Console.IsInputRedirected || OperatingSystem.IsWindows())
            {
                return null;
            }

            var saved = Stty("-g");
            return saved is null || Stty("raw", "-echo") is null ? null : new RawTerminal(saved.Trim());
        }

        public void Dispose() => Stty(_saved);

        private static string? Stty(params string[] arguments)
        {
            try
            {
                var start = new ProcessStartInfo("stty") { RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var argument in arguments)
                {
                    start.ArgumentList.Add(argument);
                }

                using var process = Process.Start(start)!;
                var text = process.StandardOutput.ReadToEnd();
                process.WaitForExit(5000);
                return process.ExitCode == 0 ? text : null;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }
    }
}
