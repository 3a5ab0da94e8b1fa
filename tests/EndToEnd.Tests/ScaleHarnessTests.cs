using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// bench/scale.sh's harness at the smallest scale: a real control plane process, 5 simulated agents that join with an
/// activation over TLS, 20 tasks by RunTask and a service of 3. The harness itself checks that every task is RUNNING
/// exactly once (DescribeTasks, the control plane's acknowledgements, one delivery per task) and prints its figures.
/// </summary>
public sealed class ScaleHarnessTests
{
    [Fact(Timeout = 100_000)]
    public async Task TinyScale_EveryTaskRunningExactlyOnce()
    {
        var token = TestContext.Current.CancellationToken;
        await using var harness = ManagedProcess.Start("scale", Programs.Benchmarks,
            ["--scale", "--agents", "5", "--tasks", "20", "--services", "1", "--service-tasks", "3", "--idle-seconds", "3", "--max-seconds", "80"]);
        var exited = await harness.WaitForExitAsync(TimeSpan.FromSeconds(90));
        token.ThrowIfCancellationRequested();
        var output = harness.Output;
        TestContext.Current.TestOutputHelper?.WriteLine(output);

        Assert.True(exited, "the harness did not finish within its bound:\n" + output);
        Assert.Equal(0, harness.ExitCode);
        Assert.Contains("register: 5 of 5 agents joined and in session", output, StringComparison.Ordinal);
        Assert.Matches(@"DescribeContainerInstances: [0-5] connected at first, 5 after", output);
        Assert.Contains(
            "check: OK: 23 tasks started, 23 RUNNING by DescribeTasks, 23 acknowledged RUNNING, 23 delivered, 0 duplicate deliveries, 0 RunTask ARNs never acknowledged",
            output, StringComparison.Ordinal);
        Assert.Matches(@"heartbeat delay \(sent → handled, control plane histogram\): idle p50 ≤ [0-9.]+ ms, p99 ≤ [0-9.]+ ms \([1-9][0-9]* heartbeats\)", output);
        Assert.Matches(@"control plane: RSS [1-9][0-9]* MiB now", output);
    }
}
