using System.Text;
using Docker.DotNet.Models;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// <c>logConfiguration.secretOptions</c> against a real control plane, agent and Docker, both programs at Debug level:
/// a json-file <c>tag</c> option whose value is a secret reaches Docker (HostConfig.LogConfig.Config, as the ECS agent
/// sets it) and nowhere else — no API answer, no log line of either program, no file of the agent's data directory; a
/// task whose secret option names a missing secret stops with ResourceInitializationError naming it, no container made.
/// </summary>
public sealed class LogSecretOptionsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 240_000)]
    public async Task SecretOption_ReachesDockersLogConfig_Only_AndAMissingOneStopsTheTask()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken, "--Logging:LogLevel:Default=Debug");
        var value = "tag" + Guid.NewGuid().ToString("N");
        (await cluster.OrchAsync("secret", "create", "log/tag", "--value", value)).EnsureSuccess();

        var definition = Path.Combine(Path.GetTempPath(), $"orch-log-secret-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(definition, """
            {"family":"log-secret","containerDefinitions":[{"name":"app","image":"local/busybox:1","memory":32,"command":["sleep","300"],
              "logConfiguration":{"logDriver":"json-file","options":{"max-size":"1m"},
                "secretOptions":[{"name":"tag","valueFrom":"arn:aws:ssm:us-east-1:000000000000:parameter/log/tag"}]}}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", definition)).EnsureSuccess();
        await File.WriteAllTextAsync(definition, """
            {"family":"log-secret-missing","containerDefinitions":[{"name":"app","image":"local/busybox:1","memory":32,"command":["sleep","300"],
              "logConfiguration":{"logDriver":"json-file","secretOptions":[{"name":"tag","valueFrom":"no-such-log-secret"}]}}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", definition)).EnsureSuccess(); // allowed, as in ECS
        File.Delete(definition);

        var run = await cluster.OrchJsonAsync<TasksResponse>("task", "run", "-t", "log-secret", "--cluster", cluster.ClusterName, "--wait", "--timeout", "2m");
        var task = Assert.Single(run.Tasks);
        Assert.Equal("RUNNING", task.LastStatus);
        var inspect = await cluster.Docker.Containers.InspectContainerAsync(task.Containers[0].RuntimeId!, Token);
        Assert.Equal("json-file", inspect.HostConfig!.LogConfig!.Type);
        Assert.Equal(value, inspect.HostConfig.LogConfig.Config["tag"]);
        Assert.Equal("1m", inspect.HostConfig.LogConfig.Config["max-size"]);

        var missing = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "run", "-t", "log-secret-missing", "--cluster", cluster.ClusterName)).Tasks).TaskArn!;
        EcsTask? stopped = null;
        await Eventually.Async(async () =>
        {
            stopped = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, missing)).Tasks);
            Assert.Equal("STOPPED", stopped.LastStatus);
        }, TimeSpan.FromSeconds(30), cluster.Diagnostics);
        Assert.Equal("TaskFailedToStart", stopped!.StopCode);
        Assert.StartsWith("ResourceInitializationError: unable to pull secrets or registry auth:", stopped.StoppedReason, StringComparison.Ordinal);
        Assert.Contains("secret no-such-log-secret not found", stopped.StoppedReason, StringComparison.Ordinal);
        var made = await cluster.Docker.Containers.ListContainersAsync(
            new ContainersListParameters { All = true, Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"com.amazonaws.ecs.task-arn={missing}"] = true } } },
            Token);
        Assert.Empty(made);

        var aws = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);
        var answers = new List<string>
        {
            (await cluster.OrchAsync("--output", "json", "task", "describe", "--cluster", cluster.ClusterName, task.TaskArn!)).EnsureSuccess().Stdout,
            (await cluster.OrchAsync("--output", "json", "taskdef", "describe", "log-secret")).EnsureSuccess().Stdout,
            (await aws.RunAsync("ecs", "describe-task-definition", "--task-definition", "log-secret")).EnsureSuccess().Stdout,
            (await aws.RunAsync("ecs", "describe-tasks", "--cluster", cluster.ClusterName, "--tasks", task.TaskArn!)).EnsureSuccess().Stdout,
        };
        Assert.Contains("arn:aws:ssm:us-east-1:000000000000:parameter/log/tag", answers[2], StringComparison.Ordinal);
        var files = new List<(string Path, byte[] Bytes)>();
        foreach (var file in Directory.GetFiles(cluster.AgentDataDir, "*", SearchOption.AllDirectories))
        {
            files.Add((file, await ReadSharedAsync(file)));
        }

        (await cluster.OrchAsync("task", "stop", "--cluster", cluster.ClusterName, task.TaskArn!)).EnsureSuccess();
        await Eventually.Async(async () => Assert.Equal("STOPPED", Assert.Single((await cluster.OrchJsonAsync<TasksResponse>(
            "task", "describe", "--cluster", cluster.ClusterName, task.TaskArn!)).Tasks).LastStatus), TimeSpan.FromSeconds(60), cluster.Diagnostics);

        Assert.Contains("dbug:", cluster.Agent!.Output, StringComparison.Ordinal);
        var logs = cluster.Diagnostics();
        Assert.All(answers, answer => Assert.DoesNotContain(value, answer, StringComparison.Ordinal));
        Assert.False(logs.Contains(value, StringComparison.Ordinal), "the secret option's value is in the logs");
        var bytes = Encoding.UTF8.GetBytes(value);
        Assert.All(files, f => Assert.False(f.Bytes.AsSpan().IndexOf(bytes) >= 0, $"the secret option's value is in {f.Path}"));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"checked {answers.Count} answers, {logs.Split('\n').Length} log lines, {files.Count} agent files ({files.Sum(f => f.Bytes.Length)} bytes)");
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Token);
        return buffer.ToArray();
    }
}
