using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// ./run.sh as a newcomer uses it, in a terminal of its own: Ctrl-C (SIGINT to its foreground process group) stops the
/// control plane and the agent, while dockerd and the task containers keep running; the next ./run.sh adopts them.
/// </summary>
public sealed class RunScriptTests : IDisposable
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("orch-runsh-");
    private readonly int _grpcPort = FreePort();
    private readonly int _httpPort = FreePort();
    private readonly List<int> _groups = [];

    // Two run.sh starts (each builds nothing but checks the engine and the test images), a task, two stops: minutes on
    // a loaded machine. Each step's time is written to the output, so a slow one shows.
    [Fact(Timeout = 480_000)]
    public async Task CtrlC_StopsTheClusterButNotDockerOrTasks_TheNextRunAdoptsThem()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        void Step(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {what}");
        var (first, firstGroup, firstOutput) = await StartRunShAsync();
        Step("first run.sh: agent connected");
        var cli = new OrchCli(() => $"https://127.0.0.1:{_grpcPort}", () => Path.Combine(_state.FullName, "controlplane", "orch-admin.json"));
        (await cli.RunAsync("taskdef", "register", "--file", Programs.Example("httpd.json"))).EnsureSuccess();
        (await cli.RunAsync("task", "run", "--task-definition", "httpd", "--wait")).EnsureSuccess();
        Step("task RUNNING");
        var task = Assert.Single((await cli.JsonAsync<TasksResponse>("task", "list")).Tasks);
        var containerId = task.Containers[0].RuntimeId!;
        var dockerd = HostDockerd();

        Signal("-INT", $"-{firstGroup}"); // what Ctrl-C in its terminal does
        Assert.True(first.WaitForExit(60_000), "run.sh did not stop on Ctrl-C:\n" + firstOutput);
        Step("first run.sh stopped");
        Assert.Contains("Stopping the agent and the control plane", firstOutput.ToString(), StringComparison.Ordinal);

        Assert.Equal(dockerd, HostDockerd());
        Assert.Equal("true", (await Commands.RunAsync("docker", ["inspect", "-f", "{{.State.Running}}", containerId], TimeSpan.FromSeconds(30))).EnsureSuccess().Stdout.Trim());

        var (second, secondGroup, secondOutput) = await StartRunShAsync();
        Step("second run.sh: agent connected");
        try
        {
            await Eventually.Async(async () =>
            {
                var adopted = Assert.Single((await cli.JsonAsync<TasksResponse>("task", "list")).Tasks);
                Assert.Equal(task.TaskArn, adopted.TaskArn);
                Assert.Equal(TaskStatus.Running, adopted.LastStatus);
                Assert.Equal(containerId, adopted.Containers[0].RuntimeId);
            }, TimeSpan.FromSeconds(60), () => secondOutput.ToString());
            Step("task adopted");
            Assert.DoesNotContain("Joining the cluster with activation", secondOutput.ToString(), StringComparison.Ordinal); // its certificate, not a new join
            (await cli.RunAsync("task", "stop", task.TaskArn)).EnsureSuccess();
            await Eventually.Async(async () => Assert.Equal(TaskStatus.Stopped, Assert.Single((await cli.JsonAsync<TasksResponse>("task", "describe", task.TaskArn)).Tasks).LastStatus),
                TimeSpan.FromSeconds(60), () => secondOutput.ToString());
            Step("task stopped");
        }
        finally
        {
            Signal("-INT", $"-{secondGroup}");
            second.WaitForExit(60_000);
            await Commands.RunAsync("docker", ["rm", "-f", containerId], TimeSpan.FromSeconds(30));
        }
    }

    public void Dispose()
    {
        // A run.sh the test did not get to stop (it failed first): its control plane and agent go with it.
        foreach (var group in _groups)
        {
            Signal("-TERM", $"-{group}");
        }

        _state.Delete(recursive: true);
    }

    /// <summary>Starts ./run.sh in a session (and process group) of its own and waits until its agent is connected.</summary>
    private async Task<(Process Process, int Group, StringBuilder Output)> StartRunShAsync()
    {
        var groupFile = Path.Combine(_state.FullName, "group");
        File.Delete(groupFile);
        var info = new ProcessStartInfo("setsid", ["bash", "-c", $"echo $$ > '{groupFile}'; exec bash ./run.sh"])
        {
            WorkingDirectory = Programs.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ORCH_STATE_DIR"] = _state.FullName;
        info.Environment["ORCH_GRPC_PORT"] = _grpcPort.ToString(CultureInfo.InvariantCulture);
        info.Environment["ORCH_HTTP_PORT"] = _httpPort.ToString(CultureInfo.InvariantCulture);
        info.Environment["ORCH_NO_BUILD"] = "1"; // the tests run on what was built
        var output = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.Async(() =>
        {
            if (File.Exists(groupFile) && int.TryParse(File.ReadAllText(groupFile).Trim(), CultureInfo.InvariantCulture, out var started) && !_groups.Contains(started))
            {
                _groups.Add(started);
            }

            Assert.False(process.HasExited, "run.sh exited:\n" + output);
            Assert.Contains("connected with", output.ToString(), StringComparison.Ordinal);
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(120), () => output.ToString());
        var group = int.Parse(File.ReadAllText(groupFile).Trim(), CultureInfo.InvariantCulture);
        if (!_groups.Contains(group))
        {
            _groups.Add(group);
        }

        return (process, group, output);
    }

    /// <summary>
    /// The machine's own dockerd (the one run.sh uses), by its pid file: other test classes may start and stop the lab's
    /// engines (also named dockerd) meanwhile.
    /// </summary>
    private static string HostDockerd()
    {
        var pid = File.ReadAllText("/var/run/docker.pid").Trim();
        Assert.True(Directory.Exists($"/proc/{pid}"), $"dockerd (pid {pid}, /var/run/docker.pid) is not running");
        return pid;
    }

    private static void Signal(string signal, string target)
    {
        using var kill = Process.Start("kill", [signal, "--", target])!;
        kill.WaitForExit();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
