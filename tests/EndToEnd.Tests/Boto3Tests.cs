using System.Text.Json;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// boto3, with botocore's current ECS model, unchanged: its waiters (tasks_running, services_stable, tasks_stopped,
/// services_inactive), a paginator, CreateService's 36-character clientToken sent twice, and a refusal by name
/// (Clients/boto3_scenario.py does the calls; real containers serve on real ports), and the newer actions current
/// SDKs know: service deployments and revisions, task protection, account settings, capacity providers, DeleteTaskDefinitions.
/// </summary>
public sealed class Boto3Tests
{
    [Fact(Timeout = 600_000)]
    public async Task Boto3_WaitersPaginatorAndIdempotentCreateService_WorkUnchanged()
    {
        // The python3 people run (the first on PATH), else the system's; the first of them that has boto3.
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "python3")).Concat(["/usr/local/bin/python3", "/usr/bin/python3"]).Where(File.Exists).Distinct().ToList();
        Assert.SkipWhen(candidates.Count == 0, "boto3 scenario skipped: python3 is not installed.");
        string? python = null;
        CommandResult? probe = null;
        foreach (var candidate in candidates)
        {
            probe = await Commands.RunAsync(candidate, ["-c", "import boto3, botocore; print(botocore.__version__)"], TimeSpan.FromMinutes(3));
            if (probe.Succeeded)
            {
                python = candidate;
                break;
            }
        }

        Assert.SkipWhen(python is null, $"boto3 scenario skipped: no python3 has boto3 ({string.Join(", ", candidates)}; pip install boto3).");

        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "boto3_scenario.py");
        var result = await Commands.RunAsync(python!, [script], TimeSpan.FromMinutes(8), new Dictionary<string, string>
        {
            ["ORCH_ECS_ENDPOINT"] = $"http://127.0.0.1:{cluster.HttpPort}",
            ["ORCH_ECS_CLUSTER"] = cluster.ClusterName,
            ["ORCH_EXAMPLE_TASK_DEFINITION"] = Programs.Example("httpd.json"),
            ["AWS_ACCESS_KEY_ID"] = LocalCluster.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = LocalCluster.SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = "",
            ["AWS_PROFILE"] = "",
            ["AWS_CONFIG_FILE"] = "/dev/null",
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        });
        TestContext.Current.TestOutputHelper?.WriteLine($"boto3 (botocore {probe!.Stdout.Trim()}): {result.Stdout}\n{result.Stderr}");
        Assert.True(result.Succeeded, $"the boto3 scenario failed (exit {result.ExitCode}):\n{result.Stdout}\n{result.Stderr}\n{cluster.Diagnostics()}");

        var seen = JsonDocument.Parse(result.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.True(seen.GetProperty("done").GetBoolean());
        Assert.True(seen.GetProperty("taskServed").GetBoolean());
        Assert.True(seen.GetProperty("newerActions").GetBoolean());
        Assert.Equal(3, seen.GetProperty("pages").GetInt32());
        Assert.Equal(2, seen.GetProperty("serviceRunning").GetInt32());
        Assert.Equal("Parameter availabilityZoneRebalancing is not supported by this control plane yet: the value \"ENABLED\" is refused; it takes only \"DISABLED\".",
            seen.GetProperty("refusal").GetString());
    }
}
