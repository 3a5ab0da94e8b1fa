using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// The agent's pull behaviour (ORCH_IMAGE_PULL_BEHAVIOR) against a real private registry whose image changes under
/// the same tag: three agents on one Docker engine, one per behaviour (tasks placed by an attribute), all first
/// running v1; after v2 is pushed under the same tag (the local cache still holding v1), <c>always</c> pulls and runs
/// v2 while <c>once</c> (already pulled by that agent) and <c>prefer-cached</c> keep running the cached v1.
/// </summary>
public sealed class PullBehaviorTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 480_000)]
    public async Task ImageChangedUnderTheSameTag_AlwaysPullsIt_OnceAndPreferCachedKeepTheCachedOne()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Phase(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s {what}");
        await using var registry = await PrivateRegistry.StartAsync(TestContext.Current.CancellationToken);
        await using var cluster = await LocalCluster.StartAsync(Token);
        string[] behaviors = ["prefer-cached", "once", "always"];
        foreach (var behavior in behaviors)
        {
            await cluster.AddAgentAsync("--attribute", $"pull={behavior}", $"--Agent:ImagePullBehavior={behavior}");
        }

        var v1 = await registry.BuildAsync("v1");
        var v2 = await registry.BuildAsync("v2");
        var image = await registry.PushAsync(v1, "team/app:1");
        registry.Track(image);
        (await cluster.OrchAsync("secret", "create", "registry-login", "--value",
            $$"""{"username":"{{PrivateRegistry.Username}}","password":"{{registry.Password}}"}""")).EnsureSuccess();
        var file = Path.Combine(Path.GetTempPath(), $"orch-pull-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, $$"""
            {"family":"versioned","containerDefinitions":[{"name":"app","image":"{{image}}","memory":16,
              "repositoryCredentials":{"credentialsParameter":"registry-login"},
              "command":["sh","-c","echo \"version=$(cat /version)\"; exec sleep 300"],"stopTimeout":1}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", file)).EnsureSuccess();
        File.Delete(file);
        await cluster.WaitForConnectedInstancesAsync(4);
        Phase("registry, cluster and 3 agents up, v1 pushed");

        // First round: every behaviour runs v1 (always and once pull it; prefer-cached finds it cached by then).
        foreach (var behavior in new[] { "always", "once", "prefer-cached" })
        {
            Assert.Equal("v1", await VersionAsync(cluster, behavior));
        }

        Phase("first round: v1 everywhere");
        await registry.ReplaceAsync(v2, "team/app:1");
        Phase("v2 pushed under the same tag");

        Assert.Equal("v1", await VersionAsync(cluster, "prefer-cached"));
        Assert.Equal("v1", await VersionAsync(cluster, "once"));
        Assert.Equal("v2", await VersionAsync(cluster, "always"));
        Phase("second round: prefer-cached v1, once v1, always v2");
    }

    /// <summary>Runs the task on the agent with this behaviour and reads the version it printed.</summary>
    private static async Task<string> VersionAsync(LocalCluster cluster, string behavior)
    {
        var run = await cluster.OrchJsonAsync<TasksResponse>("task", "run", "-t", "versioned", "--cluster", cluster.ClusterName,
            "--placement-constraint", $"type=memberOf,expression=attribute:pull == {behavior}", "--wait", "--timeout", "3m");
        var arn = Assert.Single(run.Tasks).TaskArn!;
        string? version = null;
        await Eventually.Async(async () =>
        {
            var logs = (await cluster.OrchAsync("task", "logs", arn, "--cluster", cluster.ClusterName)).EnsureSuccess().Stdout;
            var line = logs.Split('\n').FirstOrDefault(l => l.Contains("version=", StringComparison.Ordinal));
            Assert.NotNull(line);
            version = line[(line.IndexOf("version=", StringComparison.Ordinal) + "version=".Length)..].Trim();
        }, TimeSpan.FromSeconds(60), cluster.Diagnostics);
        (await cluster.OrchAsync("task", "stop", "--cluster", cluster.ClusterName, arn)).EnsureSuccess();
        TestContext.Current.TestOutputHelper?.WriteLine($"{behavior}: {version}");
        return version!;
    }
}
