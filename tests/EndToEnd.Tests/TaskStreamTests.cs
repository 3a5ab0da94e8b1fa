using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// <c>orch task logs</c> and <c>orch task exec</c> against a real control plane, agent and Docker: lines arrive as
/// they are written, a followed log survives an agent restart, Ctrl-C ends the stream on the agent too, and a command
/// runs with its output, input and exit code — only in tasks run with enableExecuteCommand.
/// </summary>
public sealed partial class TaskStreamTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 240_000)]
    public async Task LogsFollow_ShowsEachLineAsItIsWritten_AndCtrlCEndsTheStreamOnTheAgent()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        // 100 lines, 50 ms apart, once the follower is listening (it starts within the first 4 s).
        var task = await RunAsync(cluster, "talker", """sleep 4; i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo "line $i"; sleep 0.05; done; sleep 600""");

        var arrivals = new List<(int Number, DateTimeOffset Logged, DateTimeOffset Read)>();
        await using var follower = cluster.OrchStart("task", "logs", task, "--cluster", cluster.ClusterName, "-f", "--timestamps");
        follower.LineRead += (line, read) =>
        {
            if (TimedLine().Match(line) is { Success: true } match)
            {
                lock (arrivals)
                {
                    arrivals.Add((int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), DateTimeOffset.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), read));
                }
            }
        };
        await Eventually.Async(() =>
        {
            lock (arrivals)
            {
                Assert.Equal(100, arrivals.Count);
            }

            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(60), () => follower.Output + cluster.Diagnostics());

        Assert.Equal(Enumerable.Range(1, 100), arrivals.Select(a => a.Number));
        var latencies = arrivals.Select(a => (a.Read - a.Logged).TotalMilliseconds).Order().ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"logs -f latency over {latencies.Count} lines: median {latencies[latencies.Count / 2]:0} ms, p95 {latencies[latencies.Count * 95 / 100]:0} ms, max {latencies[^1]:0} ms");
        Assert.True(latencies[latencies.Count / 2] < 1000, $"median latency {latencies[latencies.Count / 2]:0} ms");
        Assert.Contains("Stream", cluster.Agent!.Output, StringComparison.Ordinal);

        // Ctrl-C: orch exits, and the agent closes its stream (it stops reading Docker's log).
        follower.Interrupt();
        Assert.True(await follower.WaitForExitAsync(TimeSpan.FromSeconds(10)), follower.Output);
        await Eventually.Async(() =>
        {
            Assert.Matches(@"Stream \w+ closed \(0 open\)", cluster.Agent!.Output);
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(10), cluster.Diagnostics);
    }

    [Fact(Timeout = 300_000)]
    public async Task LogsFollow_KeepsFollowingAcrossAnAgentRestart_WithoutGapsOrRepeats()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var task = await RunAsync(cluster, "counter", """i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done""");
        var numbers = new List<int>();
        await using var follower = cluster.OrchStart("task", "logs", task, "--cluster", cluster.ClusterName, "--follow");
        follower.LineRead += (line, _) =>
        {
            if (Tick().Match(line) is { Success: true } match)
            {
                lock (numbers)
                {
                    numbers.Add(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
                }
            }
        };
        await WaitForCountAsync(numbers, 5, follower, cluster);

        await cluster.Agent!.StopAsync(TimeSpan.FromSeconds(30));
        var before = Count(numbers);
        await Task.Delay(TimeSpan.FromSeconds(2), Token); // lines written while no agent runs
        await cluster.StartAgentAsync();
        await WaitForCountAsync(numbers, before + 20, follower, cluster);

        List<int> seen;
        lock (numbers)
        {
            seen = [.. numbers];
        }

        Assert.False(follower.HasExited, follower.Output);
        Assert.Equal(Enumerable.Range(seen[0], seen.Count), seen);
    }

    [Fact(Timeout = 240_000)]
    public async Task Exec_ReturnsOutputAndExitCode_TakesInputUnderATerminal_AndIsRefusedWithoutEnableExecuteCommand()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var task = await RunAsync(cluster, "shell", "sleep 600", enableExec: true, environment: """[{"name":"X","value":"from-the-task"}]""");

        var run = await cluster.OrchAsync("task", "exec", task, "--cluster", cluster.ClusterName, "--", "sh", "-c", "echo $X; echo oops >&2; exit 7");
        Assert.Equal(7, run.ExitCode);
        Assert.Equal("from-the-task\n", run.Stdout);
        Assert.Contains("oops", run.Stderr, StringComparison.Ordinal);

        // An interactive shell under a pseudo-terminal (script gives orch one): type a command, read its output.
        var typed = await RunUnderTerminalAsync(cluster, $"task exec -it {task} --cluster {cluster.ClusterName} -- sh", "echo typed-$((6*7))\nexit 3\n");
        Assert.Contains("typed-42", typed.Output, StringComparison.Ordinal);
        Assert.Equal(3, typed.ExitCode);

        // Stats from the agent's sampler: the container's memory limit (the task definition's 32 MiB) and what it uses.
        var stats = (await cluster.OrchJsonAsync("task", "stats", task, "--cluster", cluster.ClusterName)).GetProperty("containers");
        var main = Assert.Single(stats.EnumerateArray());
        Assert.Equal("main", main.GetProperty("name").GetString());
        Assert.Equal(32L * 1024 * 1024, main.GetProperty("memoryLimitBytes").GetInt64());
        Assert.InRange(main.GetProperty("memoryUsedBytes").GetInt64(), 1, 32L * 1024 * 1024);

        // The instance's usage totals, from its agent's heartbeats: at least this task's container.
        var instance = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", task, "--cluster", cluster.ClusterName)).Tasks).ContainerInstanceArn!;
        await Eventually.Async(async () =>
        {
            var described = (await cluster.OrchAsync("instance", "describe", instance, "--cluster", cluster.ClusterName)).EnsureSuccess().Stdout;
            Assert.Matches(@"Usage: +CPU [0-9.]+ % .* memory [0-9.]+ MiB of \d+ MiB registered, [1-9]\d* running containers", described);
        }, TimeSpan.FromSeconds(30), cluster.Diagnostics);

        // Each command run is one of the task's events: who, which container, which program — never its arguments.
        (await cluster.OrchAsync("task", "stop", task, "--cluster", cluster.ClusterName)).EnsureSuccess();
        await Eventually.Async(async () =>
        {
            var events = (await cluster.OrchAsync("task", "events", task, "--cluster", cluster.ClusterName)).EnsureSuccess().Stdout;
            var lines = events.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("placed on container instance", lines[0], StringComparison.Ordinal);
            Assert.Contains(lines, l => l.Contains("started: main running", StringComparison.Ordinal));
            Assert.Equal(2, lines.Count(l => l.Contains("command run in container main by access key", StringComparison.Ordinal)));
            Assert.Contains(lines, l => l.EndsWith("sh with 2 arguments", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("stop requested (UserInitiated)", StringComparison.Ordinal));
            Assert.Contains("stopped (UserInitiated)", lines[^1], StringComparison.Ordinal);
            Assert.DoesNotContain("echo", events, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), cluster.Diagnostics);

        var plain = await RunAsync(cluster, "plain", "sleep 600");
        var refused = await cluster.OrchAsync("task", "exec", plain, "--cluster", cluster.ClusterName, "--", "id");
        Assert.Equal(254, refused.ExitCode);
        Assert.Contains("execute command was not enabled", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("from-the-task", cluster.ControlPlane!.Output, StringComparison.Ordinal);
    }

    private static async Task<string> RunAsync(LocalCluster cluster, string family, string script, bool enableExec = false, string environment = "[]")
    {
        var file = Path.Combine(Path.GetTempPath(), $"orch-{family}-{Guid.NewGuid():N}.json");
        var command = System.Text.Json.JsonSerializer.Serialize(new[] { "sh", "-c", script });
        // PID 1 here is sleep, which ignores SIGTERM: a short stop timeout keeps a stop from waiting 30 s for SIGKILL.
        await File.WriteAllTextAsync(file, $$"""
            {"family":"{{family}}","containerDefinitions":[
              {"name":"main","image":"local/busybox:1","memory":32,"essential":true,"command":{{command}},"environment":{{environment}},"stopTimeout":2}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", file)).EnsureSuccess();
        File.Delete(file);
        string[] arguments = ["task", "run", "-t", family, "--cluster", cluster.ClusterName, "--wait", "--timeout", "2m", .. enableExec ? ["--enable-execute-command"] : Array.Empty<string>()];
        var response = await cluster.OrchJsonAsync<TasksResponse>(arguments);
        return Assert.Single(response.Tasks).TaskArn!;
    }

    private static async Task<(int ExitCode, string Output)> RunUnderTerminalAsync(LocalCluster cluster, string orchArguments, string input)
    {
        var info = new ProcessStartInfo("script") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-qec", $"dotnet {Programs.Cli} {orchArguments}", "/dev/null" })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["ORCH_ENDPOINT"] = cluster.Endpoint;
        info.Environment["ORCH_CONFIG"] = cluster.AdminConfig;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Token);
        await Task.Delay(TimeSpan.FromSeconds(3), Token); // the shell's prompt first
        foreach (var line in input.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await process.StandardInput.WriteAsync(line + "\r");
            await process.StandardInput.FlushAsync(Token);
            await Task.Delay(TimeSpan.FromMilliseconds(500), Token);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output);
    }

    private static int Count(List<int> numbers)
    {
        lock (numbers)
        {
            return numbers.Count;
        }
    }

    private static Task WaitForCountAsync(List<int> numbers, int count, ManagedProcess follower, LocalCluster cluster) =>
        Eventually.Async(() =>
        {
            Assert.True(Count(numbers) >= count, $"{Count(numbers)} lines so far");
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(60), () => follower.Output + cluster.Diagnostics());

    [GeneratedRegex(@"^(\S+Z) line (\d+)$")]
    private static partial Regex TimedLine();

    [GeneratedRegex(@"^tick (\d+)$")]
    private static partial Regex Tick();
}
