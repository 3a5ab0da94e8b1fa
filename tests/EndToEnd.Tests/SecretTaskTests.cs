using System.Security.Cryptography;
using Docker.DotNet.Models;
using System.Text;
using System.Text.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// <c>orch secret</c> and <c>containerDefinitions[].secrets</c> against a real control plane, agent and Docker, both
/// programs at Debug level: the value reaches the container's environment (the container prints its SHA-256, never the
/// value) and nowhere else — no API answer (orch and the AWS CLI), no log line of either program, no file of either
/// data directory (the agent's SQLite WAL included); a new value reaches tasks started after <c>orch secret put</c>; a
/// task naming a missing secret stops with ECS's ResourceInitializationError without any container made.
/// </summary>
public sealed class SecretTaskTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task Secret_ReachesTheContainerOnly_AndPutReachesTheNextTask()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken, "--Logging:LogLevel:Default=Debug");
        var first = "first-" + Guid.NewGuid().ToString("N");
        var second = "second-" + Guid.NewGuid().ToString("N");
        var token = "token-" + Guid.NewGuid().ToString("N");

        // One secret from a file, one given inline; named by a Secrets Manager ARN (with its 6-character suffix) and an SSM ARN.
        var valueFile = Path.Combine(Path.GetTempPath(), $"orch-secret-value-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(valueFile, first + "\n", Token);
        var created = await cluster.OrchJsonAsync("secret", "create", "db-pass", "--value-file", valueFile, "--description", "database");
        File.Delete(valueFile);
        Assert.Equal("arn:aws:secretsmanager:us-east-1:000000000000:secret:db-pass", created.GetProperty("arn").GetString());
        (await cluster.OrchAsync("secret", "create", "app/token", "--value", token)).EnsureSuccess();

        var definition = Path.Combine(Path.GetTempPath(), $"orch-secrets-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(definition, """
            {"family":"secretive","containerDefinitions":[{"name":"app","image":"local/busybox:1","memory":32,"essential":true,"stopTimeout":2,
              "command":["sh","-c","echo \"db=$(printf %s \"$DB_PASSWORD\" | sha256sum | cut -c1-64)\"; echo \"token=$(printf %s \"$TOKEN\" | sha256sum | cut -c1-64)\"; sleep 300"],
              "secrets":[{"name":"DB_PASSWORD","valueFrom":"arn:aws:secretsmanager:us-east-1:000000000000:secret:db-pass-AbCdEf"},
                         {"name":"TOKEN","valueFrom":"arn:aws:ssm:us-east-1:000000000000:parameter/app/token"}]}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", definition)).EnsureSuccess();
        File.Delete(definition);

        var one = await RunAsync(cluster);
        await WaitForLineAsync(cluster, one, $"db={Sha256(first)}");
        await WaitForLineAsync(cluster, one, $"token={Sha256(token)}");

        // A new value: the running task keeps what it started with, the next task gets the new one.
        var put = await cluster.OrchJsonAsync("secret", "put", "db-pass", "--value", second);
        Assert.Equal(2, put.GetProperty("version").GetInt32());
        var two = await RunAsync(cluster);
        await WaitForLineAsync(cluster, two, $"db={Sha256(second)}");
        Assert.Contains($"db={Sha256(first)}", (await cluster.OrchAsync("task", "logs", one, "--cluster", cluster.ClusterName)).EnsureSuccess().Stdout, StringComparison.Ordinal);

        // Every answer: orch (JSON) and the ECS HTTP API through the AWS CLI. The definition shows valueFrom only.
        var aws = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);
        var answers = new List<string>
        {
            (await cluster.OrchAsync("--output", "json", "task", "describe", "--cluster", cluster.ClusterName, one, two)).EnsureSuccess().Stdout,
            (await cluster.OrchAsync("--output", "json", "task", "list", "--cluster", cluster.ClusterName)).EnsureSuccess().Stdout,
            (await cluster.OrchAsync("--output", "json", "taskdef", "describe", "secretive")).EnsureSuccess().Stdout,
            (await cluster.OrchAsync("--output", "json", "taskdef", "list")).EnsureSuccess().Stdout,
            (await cluster.OrchAsync("--output", "json", "secret", "list")).EnsureSuccess().Stdout,
            (await cluster.OrchAsync("--output", "json", "secret", "get-metadata", "db-pass")).EnsureSuccess().Stdout,
            (await aws.RunAsync("ecs", "describe-task-definition", "--task-definition", "secretive")).EnsureSuccess().Stdout,
            (await aws.RunAsync("ecs", "describe-tasks", "--cluster", cluster.ClusterName, "--tasks", one, two)).EnsureSuccess().Stdout,
            (await aws.RunAsync("ecs", "list-task-definitions")).EnsureSuccess().Stdout,
        };
        Assert.Contains("arn:aws:ssm:us-east-1:000000000000:parameter/app/token", answers[6], StringComparison.Ordinal);
        var metadata = JsonDocument.Parse(answers[5]).RootElement;
        Assert.Equal("database", metadata.GetProperty("description").GetString());

        // The files, read while both programs run (the agent's WAL not yet checkpointed): the agent's and the control plane's.
        var agentFiles = Directory.GetFiles(cluster.AgentDataDir, "*", SearchOption.AllDirectories);
        Assert.Contains(agentFiles, f => f.EndsWith("agent.db-wal", StringComparison.Ordinal));
        var controlPlaneFiles = Directory.GetFiles(cluster.ControlPlaneDataDir, "*", SearchOption.AllDirectories);
        Assert.Contains(controlPlaneFiles, f => f.EndsWith("secrets.json", StringComparison.Ordinal));
        foreach (var name in new[] { "secrets.json", "secrets.key" })
        {
            Assert.Equal("-rw-------", Mode(Path.Combine(cluster.ControlPlaneDataDir, name)));
        }

        var files = new List<(string Path, byte[] Bytes)>();
        foreach (var file in agentFiles.Concat(controlPlaneFiles))
        {
            files.Add((file, await ReadSharedAsync(file)));
        }

        foreach (var task in new[] { one, two })
        {
            (await cluster.OrchAsync("task", "stop", "--cluster", cluster.ClusterName, task)).EnsureSuccess();
        }

        await Eventually.Async(async () => Assert.All((await cluster.OrchJsonAsync<TasksResponse>(
            "task", "describe", "--cluster", cluster.ClusterName, one, two)).Tasks, t => Assert.Equal("STOPPED", t.LastStatus)), TimeSpan.FromSeconds(60), cluster.Diagnostics);

        Assert.Contains("dbug:", cluster.ControlPlane!.Output, StringComparison.Ordinal);
        Assert.Contains("dbug:", cluster.Agent!.Output, StringComparison.Ordinal);
        var logs = cluster.Diagnostics();
        foreach (var value in new[] { first, second, token })
        {
            Assert.All(answers, answer => Assert.DoesNotContain(value, answer, StringComparison.Ordinal));
            Assert.False(logs.Contains(value, StringComparison.Ordinal), $"a secret value is in the logs");
            var bytes = Encoding.UTF8.GetBytes(value);
            foreach (var (path, contents) in files)
            {
                Assert.False(contents.AsSpan().IndexOf(bytes) >= 0, $"a secret value is in {path}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"checked {answers.Count} answers, {logs.Split('\n').Length} log lines, {files.Count} files ({files.Sum(f => f.Bytes.Length)} bytes)");
    }

    [Fact(Timeout = 240_000)]
    public async Task MissingSecret_StopsTheTaskWithResourceInitializationError_BeforeAnyContainer()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var definition = Path.Combine(Path.GetTempPath(), $"orch-missing-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(definition, """
            {"family":"needs-secret","containerDefinitions":[{"name":"app","image":"local/busybox:1","memory":32,
              "command":["sleep","300"],"secrets":[{"name":"PASSWORD","valueFrom":"no-such-secret"}]}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", definition)).EnsureSuccess(); // allowed, as in ECS
        File.Delete(definition);

        var run = await cluster.OrchJsonAsync<TasksResponse>("task", "run", "-t", "needs-secret", "--cluster", cluster.ClusterName);
        var arn = Assert.Single(run.Tasks).TaskArn!;
        EcsTask? stopped = null;
        await Eventually.Async(async () =>
        {
            stopped = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, arn)).Tasks);
            Assert.Equal("STOPPED", stopped.LastStatus);
        }, TimeSpan.FromSeconds(30), cluster.Diagnostics);
        Assert.Equal("TaskFailedToStart", stopped!.StopCode);
        Assert.StartsWith("ResourceInitializationError: unable to pull secrets or registry auth:", stopped.StoppedReason, StringComparison.Ordinal);
        Assert.Contains("secret no-such-secret not found", stopped.StoppedReason, StringComparison.Ordinal);
        var containers = await cluster.Docker.Containers.ListContainersAsync(
            new ContainersListParameters { All = true, Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"com.amazonaws.ecs.task-arn={arn}"] = true } } },
            Token);
        Assert.Empty(containers);

        // Once the secret exists (its value piped to orch on standard input), the same definition runs.
        var piped = await Commands.RunAsync("sh", ["-c", $"printf 'now-it-exists\\n' | dotnet {Programs.Cli} secret create no-such-secret"], TimeSpan.FromMinutes(1),
            new Dictionary<string, string> { ["ORCH_ENDPOINT"] = cluster.Endpoint, ["ORCH_CONFIG"] = cluster.AdminConfig });
        piped.EnsureSuccess();
        var again = await cluster.OrchJsonAsync<TasksResponse>("task", "run", "-t", "needs-secret", "--cluster", cluster.ClusterName, "--wait", "--timeout", "2m");
        var running = Assert.Single(again.Tasks);
        Assert.Equal("RUNNING", running.LastStatus);
        var inspect = await cluster.Docker.Containers.InspectContainerAsync(running.Containers[0].RuntimeId!, Token);
        Assert.Contains("PASSWORD=now-it-exists", inspect.Config!.Env); // the newline that printf wrote is dropped
    }

    private static async Task<string> RunAsync(LocalCluster cluster)
    {
        var response = await cluster.OrchJsonAsync<TasksResponse>("task", "run", "-t", "secretive", "--cluster", cluster.ClusterName, "--wait", "--timeout", "2m");
        return Assert.Single(response.Tasks).TaskArn!;
    }

    private static Task WaitForLineAsync(LocalCluster cluster, string task, string line) =>
        Eventually.Async(async () =>
        {
            var logs = (await cluster.OrchAsync("task", "logs", task, "--cluster", cluster.ClusterName)).EnsureSuccess().Stdout;
            Assert.Contains(line, logs, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), cluster.Diagnostics);

    private static string Mode(string path) =>
        OperatingSystem.IsWindows() ? "-rw-------" : File.GetUnixFileMode(path) == (UnixFileMode.UserRead | UnixFileMode.UserWrite) ? "-rw-------" : File.GetUnixFileMode(path).ToString();

    private static string Sha256(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Token);
        return buffer.ToArray();
    }
}
