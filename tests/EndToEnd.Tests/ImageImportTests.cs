using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// The air-gapped path end to end: an image saved to an archive (<c>docker save</c>) is put into a private registry
/// (docker-registry, htpasswd, TLS) with <c>orch image import ARCHIVE --registry HOST:PORT</c> through the local
/// engine (docker's login from its own config directory), then a task whose image names the registry pulls it with
/// credentials from a secret and runs it.
/// </summary>
public sealed class ImageImportTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task ImportedArchive_IsInTheRegistry_AndATaskRunsIt()
    {
        await using var registry = await PrivateRegistry.StartAsync(TestContext.Current.CancellationToken);
        var local = await registry.BuildAsync("airgapped");
        var archive = Path.Combine(Path.GetTempPath(), $"orch-import-{Guid.NewGuid():N}.tar");
        (await Commands.RunAsync("docker", ["save", "--output", archive, local], TimeSpan.FromMinutes(2))).EnsureSuccess();
        var expected = $"{registry.Host}/{local}";
        registry.Track(expected);
        var dockerConfig = await registry.LoginAsync();

        CommandResult imported;
        try
        {
            imported = await Commands.RunAsync("dotnet", [Programs.Cli, "--output", "json", "image", "import", archive, "--registry", registry.Host],
                TimeSpan.FromMinutes(3), new Dictionary<string, string> { ["DOCKER_CONFIG"] = dockerConfig });
        }
        finally
        {
            File.Delete(archive);
        }

        imported.EnsureSuccess();
        Assert.Contains($"\"image\": \"{expected}\"", imported.Stdout, StringComparison.Ordinal);
        Assert.Contains($"\"source\": \"{local}\"", imported.Stdout, StringComparison.Ordinal);
        await PrivateRegistry.RemoveLocalAsync(expected); // the task must pull it from the registry

        // A wrong registry argument is refused before docker runs.
        var refused = await Commands.RunAsync("dotnet", [Programs.Cli, "image", "import", archive, "--registry", "https://" + registry.Host], TimeSpan.FromMinutes(1));
        Assert.Equal(252, refused.ExitCode);
        Assert.Contains("--registry must be HOST[:PORT][/PREFIX]", refused.Stderr, StringComparison.Ordinal);

        await using var cluster = await LocalCluster.StartAsync(Token);
        (await cluster.OrchAsync("secret", "create", "registry-login", "--value",
            $$"""{"username":"{{PrivateRegistry.Username}}","password":"{{registry.Password}}"}""")).EnsureSuccess();
        var file = Path.Combine(Path.GetTempPath(), $"orch-imported-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, $$"""
            {"family":"imported","containerDefinitions":[{"name":"app","image":"{{expected}}","memory":16,
              "repositoryCredentials":{"credentialsParameter":"registry-login"},
              "command":["sh","-c","echo \"version=$(cat /version)\"; exec sleep 300"],"stopTimeout":1}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", file)).EnsureSuccess();
        File.Delete(file);

        var run = await cluster.OrchJsonAsync<TasksResponse>("task", "run", "-t", "imported", "--cluster", cluster.ClusterName, "--wait", "--timeout", "3m");
        var task = Assert.Single(run.Tasks);
        Assert.Equal("RUNNING", task.LastStatus);
        await Eventually.Async(async () =>
        {
            var logs = (await cluster.OrchAsync("task", "logs", task.TaskArn!, "--cluster", cluster.ClusterName)).EnsureSuccess().Stdout;
            Assert.Contains("version=airgapped", logs, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), cluster.Diagnostics);
        (await cluster.OrchAsync("task", "stop", "--cluster", cluster.ClusterName, task.TaskArn!)).EnsureSuccess();
    }
}
