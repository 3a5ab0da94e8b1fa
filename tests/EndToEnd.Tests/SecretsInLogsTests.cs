using System.Text.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// A whole secure scenario with both programs at Debug level, their output captured: keys made and used (orch and the
/// AWS CLI), a refused key, a host joined with an activation, a refused join, a task with a secret in its environment
/// run and stopped. No line of either program holds a key secret, an activation code or an environment value.
/// </summary>
public sealed class SecretsInLogsTests
{
    private const string EnvironmentSecret = "env-secret-5d3c8a21-not-for-logs";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task FullScenario_LogsOfBothPrograms_HoldNoKeySecretActivationCodeOrEnvironmentValue()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken, "--Logging:LogLevel:Default=Debug");
        var adminSecret = JsonDocument.Parse(await File.ReadAllTextAsync(cluster.AdminConfig, Token)).RootElement.GetProperty("secretAccessKey").GetString()!;
        var key = await cluster.OrchJsonAsync("access-key", "create", "--description", "scenario");
        var keyId = key.GetProperty("accessKeyId").GetString()!;
        var keySecret = key.GetProperty("secretAccessKey").GetString()!;

        // The new key at work on the ECS HTTP API, and a wrong secret refused.
        var aws = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", keyId, keySecret);
        (await aws.RunAsync("ecs", "list-clusters")).EnsureSuccess();
        Assert.NotEqual(0, (await new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", keyId, adminSecret).RunAsync("ecs", "list-clusters")).ExitCode);

        // A revoked activation refused to a second host, which says why and exits.
        var revoked = await cluster.OrchJsonAsync("activation", "create", "--cluster", cluster.ClusterName);
        var revokedCode = revoked.GetProperty("activationCode").GetString()!;
        (await cluster.OrchAsync("activation", "revoke", revoked.GetProperty("activationId").GetString()!)).EnsureSuccess();
        await using var refused = ManagedProcess.Start("refused-agent", Programs.Agent,
        [
            "--endpoint", cluster.Endpoint, "--cluster", cluster.ClusterName, "--data-dir", Path.Combine(Path.GetTempPath(), "orch-refused-" + Guid.NewGuid().ToString("N")),
            "--docker-host", "unix:///var/run/docker.sock", "--ca-file", cluster.CaFile, "--Logging:LogLevel:Default=Debug",
            "--activation-id", revoked.GetProperty("activationId").GetString()!, "--activation-code", revokedCode,
        ]);
        Assert.True(await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the agent with a revoked activation did not exit");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("revoked", refused.Output, StringComparison.Ordinal);

        // A task whose environment carries a secret, run to RUNNING and stopped.
        var definition = Path.Combine(Path.GetTempPath(), $"orch-secret-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(definition, $$"""
            {"family":"secretive","containerDefinitions":[{"name":"app","image":"local/busybox:1","memory":32,"essential":true,"stopTimeout":2,
              "command":["sh","-c","sleep 300"],"environment":[{"name":"DB_PASSWORD","value":"{{EnvironmentSecret}}"}]}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", definition)).EnsureSuccess();
        var run = (await cluster.OrchAsync("task", "run", "--cluster", cluster.ClusterName, "--task-definition", "secretive", "--wait")).EnsureSuccess();
        Assert.Contains("RUNNING", run.Stdout, StringComparison.Ordinal);
        var task = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "list", "--cluster", cluster.ClusterName)).Tasks);
        var inspect = await cluster.Docker.Containers.InspectContainerAsync(task.Containers[0].RuntimeId!, Token);
        Assert.Contains($"DB_PASSWORD={EnvironmentSecret}", inspect.Config!.Env); // it did reach the container
        (await cluster.OrchAsync("task", "stop", "--cluster", cluster.ClusterName, task.TaskArn)).EnsureSuccess();
        await Eventually.Async(async () => Assert.Equal("STOPPED", Assert.Single((await cluster.OrchJsonAsync<TasksResponse>(
            "task", "describe", "--cluster", cluster.ClusterName, task.TaskArn)).Tasks).LastStatus), TimeSpan.FromSeconds(60), cluster.Diagnostics);
        (await cluster.OrchAsync("access-key", "delete", keyId)).EnsureSuccess();
        File.Delete(definition);

        var logs = cluster.Diagnostics() + "\n" + refused.Output;
        Assert.Contains("dbug:", cluster.ControlPlane!.Output, StringComparison.Ordinal); // Debug lines were captured
        Assert.Contains("dbug:", cluster.Agent!.Output, StringComparison.Ordinal);
        Assert.Contains(task.TaskArn, cluster.Agent.Output, StringComparison.Ordinal);
        foreach (var (what, secret) in new[]
        {
            ("the admin secret", adminSecret), ("a created key's secret", keySecret), ("the joining activation code", cluster.ActivationCode!),
            ("a revoked activation's code", revokedCode), ("an environment value", EnvironmentSecret),
        })
        {
            Assert.False(logs.Contains(secret, StringComparison.Ordinal), $"{what} is in the logs");
        }
    }
}
