using System.Text.RegularExpressions;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Pulls from a real private registry (Debian's docker-registry, htpasswd, TLS) seen from the task: an agent with
/// ECS's <c>default</c> pull behaviour pulls an image with an 8 MB random layer and the task's events
/// (<c>orch task events</c>) show the pull's progress in MB and how long it took; after a new image is pushed under the
/// same tag, <c>default</c> runs the new one; with the registry stopped, it falls back to the cached image and the
/// events say why. And <c>once</c> remembers what it pulled across an agent restart (DATA_DIR/pulled-images.txt): a
/// restarted agent keeps running the image it pulled, not the one pushed under the same tag meanwhile.
/// </summary>
public sealed class RegistryPullTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 420_000)]
    public async Task DefaultBehavior_ShowsProgress_RunsTheNewImage_AndFallsBackToTheCacheWithoutARegistry()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Phase(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s {what}");
        await using var registry = await PrivateRegistry.StartAsync(TestContext.Current.CancellationToken);
        await using var cluster = new LocalCluster { AgentArguments = ["--Agent:ImagePullBehavior=default"] };
        await cluster.StartControlPlaneAsync();
        (await cluster.OrchAsync("cluster", "create", cluster.ClusterName)).EnsureSuccess();
        await cluster.StartAgentAsync();
        await cluster.WaitForConnectedInstanceAsync();

        var v1 = await registry.BuildAsync("v1", randomMegabytes: 8);
        var v2 = await registry.BuildAsync("v2");
        var image = await registry.PushAsync(v1, "team/big:1");
        registry.Track(image);
        (await Commands.RunAsync("docker", ["image", "rm", v1])).EnsureSuccess(); // its layers leave this engine: the pull has to download them
        await RegisterBigAsync(cluster, registry, image);
        Phase("registry, cluster and agent (default) up; v1 (8 MB random layer) pushed");

        // The first pull: its progress and its end are in the task's events.
        var (first, version) = await RunAsync(cluster);
        Assert.Equal("v1", version);
        var events = await EventsAsync(cluster, first, $"pulled image {image} in ");
        var progress = events.FirstOrDefault(e => e.StartsWith($"pulling image {image}: ", StringComparison.Ordinal));
        Assert.True(progress is not null, "no progress line among:\n" + string.Join('\n', events));
        var pulled = Assert.Single(events, e => e.StartsWith($"pulled image {image} in ", StringComparison.Ordinal));
        Assert.True(Regex.IsMatch(progress, @": \d+\.\d [kM]B of \d+\.\d [kM]B so far \(\d+ of [2-9] layers sized\)$") && Regex.IsMatch(pulled, @" in \d+\.\d s \((8|9|10)\.\d MB\)$"),
            string.Join('\n', events));
        Assert.True(events.IndexOf(progress) < events.IndexOf(pulled), string.Join('\n', events));
        Assert.DoesNotContain(events, e => e.Contains(registry.Password, StringComparison.Ordinal));
        Phase($"first task ran v1; its events:\n  {string.Join("\n  ", events)}");

        // The same tag now names v2 while the local cache still holds v1: default pulls it and runs v2.
        await registry.ReplaceAsync(v2, "team/big:1");
        var (second, newer) = await RunAsync(cluster);
        Assert.Equal("v2", newer);
        await EventsAsync(cluster, second, $"pulled image {image} in ");
        Phase("v2 pushed under the same tag: default ran v2");

        // No registry: the pull fails, the cached image (v2 by now) runs, and the task's events say so.
        await registry.StopServingAsync();
        var (third, cached) = await RunAsync(cluster);
        Assert.Equal("v2", cached);
        var fallback = (await EventsAsync(cluster, third, $"pull of image {image} failed, using the cached image: "))
            .Single(e => e.StartsWith($"pull of image {image} failed", StringComparison.Ordinal));
        Phase($"registry stopped: default ran the cached v2 ({fallback})");
    }

    [Fact(Timeout = 300_000)]
    public async Task Once_RemembersItsPullAcrossAnAgentRestart()
    {
        await using var registry = await PrivateRegistry.StartAsync(TestContext.Current.CancellationToken);
        await using var cluster = new LocalCluster { AgentArguments = ["--Agent:ImagePullBehavior=once"] };
        await cluster.StartControlPlaneAsync();
        (await cluster.OrchAsync("cluster", "create", cluster.ClusterName)).EnsureSuccess();
        await cluster.StartAgentAsync();
        await cluster.WaitForConnectedInstanceAsync();
        var v1 = await registry.BuildAsync("v1");
        var v2 = await registry.BuildAsync("v2");
        var image = await registry.PushAsync(v1, "team/once:1");
        registry.Track(image);
        await RegisterBigAsync(cluster, registry, image);

        var (first, version) = await RunAsync(cluster);
        Assert.Equal("v1", version);
        await EventsAsync(cluster, first, $"pulled image {image} in ");
        var remembered = await File.ReadAllLinesAsync(Path.Combine(cluster.AgentDataDir, "pulled-images.txt"), Token);
        Assert.Equal([image], remembered);

        // v2 under the same tag while the agent is down; the restarted agent must not pull it.
        await registry.ReplaceAsync(v2, "team/once:1");
        await cluster.Agent!.StopAsync(TimeSpan.FromSeconds(30));
        await cluster.StartAgentAsync();
        await cluster.WaitForConnectedInstanceAsync();

        var (second, after) = await RunAsync(cluster);
        Assert.Equal("v1", after);
        Assert.DoesNotContain(await EventsAsync(cluster, second, "started: "), e => e.StartsWith($"pulled image {image}", StringComparison.Ordinal));
        Assert.DoesNotContain(registry.Password, await File.ReadAllTextAsync(Path.Combine(cluster.AgentDataDir, "pulled-images.txt"), Token), StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine($"once, after a restart: {after} (v2 was pushed under the same tag meanwhile)");
    }

    /// <summary>Runs the task, reads the version it printed, stops it.</summary>
    private static async Task<(string Arn, string Version)> RunAsync(LocalCluster cluster)
    {
        var run = await cluster.OrchJsonAsync<TasksResponse>("task", "run", "-t", "big", "--cluster", cluster.ClusterName, "--wait", "--timeout", "3m");
        var task = Assert.Single(run.Tasks);
        Assert.Equal("RUNNING", task.LastStatus);
        string? version = null;
        await Eventually.Async(async () =>
        {
            var logs = (await cluster.OrchAsync("task", "logs", task.TaskArn!, "--cluster", cluster.ClusterName)).EnsureSuccess().Stdout;
            var line = logs.Split('\n').FirstOrDefault(l => l.Contains("version=", StringComparison.Ordinal));
            Assert.NotNull(line);
            version = line[(line.IndexOf("version=", StringComparison.Ordinal) + "version=".Length)..].Trim();
        }, TimeSpan.FromSeconds(60), cluster.Diagnostics);
        (await cluster.OrchAsync("task", "stop", "--cluster", cluster.ClusterName, task.TaskArn!)).EnsureSuccess();
        return (task.TaskArn!, version!);
    }

    /// <summary>The task's event messages, once one starts with <paramref name="awaited"/> (notes arrive beside state changes).</summary>
    private static async Task<List<string>> EventsAsync(LocalCluster cluster, string task, string awaited)
    {
        List<string> events = [];
        await Eventually.Async(async () =>
        {
            var reply = await cluster.OrchJsonAsync("task", "events", task, "--cluster", cluster.ClusterName);
            events = [.. reply.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString()!)];
            Assert.Contains(events, e => e.StartsWith(awaited, StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(30), cluster.Diagnostics);
        return events;
    }

    /// <summary>The registry's login as a secret, and the task definition "big" pulling <paramref name="image"/> with it.</summary>
    private static async Task RegisterBigAsync(LocalCluster cluster, PrivateRegistry registry, string image)
    {
        (await cluster.OrchAsync("secret", "create", "registry-login", "--value",
            $$"""{"username":"{{PrivateRegistry.Username}}","password":"{{registry.Password}}"}""")).EnsureSuccess();
        var file = Path.Combine(Path.GetTempPath(), $"orch-big-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, $$"""
            {"family":"big","containerDefinitions":[{"name":"app","image":"{{image}}","memory":16,
              "repositoryCredentials":{"credentialsParameter":"registry-login"},
              "command":["sh","-c","echo \"version=$(cat /version)\"; exec sleep 300"],"stopTimeout":1}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", file)).EnsureSuccess();
        File.Delete(file);
    }
}
