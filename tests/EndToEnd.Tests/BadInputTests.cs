using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Bad input gets a clear answer through the CLI, and nothing is left stuck.</summary>
public sealed class BadInputTests
{
    [Fact(Timeout = 180_000)]
    public async Task BadInput_GetsEcsErrorsAndReasons()
    {
        await using var cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        var dir = Directory.CreateTempSubdirectory("orch-e2e-input-").FullName;
        try
        {
            // Unknown cluster.
            var missing = await cluster.OrchAsync("task", "list", "--cluster", "no-such-cluster");
            Assert.Equal(254, missing.ExitCode);
            Assert.Contains("An error occurred (ClusterNotFoundException) when calling the ListTasks operation: Cluster not found.", missing.Stderr, StringComparison.Ordinal);

            // Malformed JSON: the position is named.
            var malformed = Path.Combine(dir, "malformed.json");
            await File.WriteAllTextAsync(malformed, "{\n  \"family\": \"x\",\n  \"containerDefinitions\": [\n", TestContext.Current.CancellationToken);
            var bad = await cluster.OrchAsync("taskdef", "register", "--file", malformed);
            Assert.Equal(254, bad.ExitCode);
            Assert.Contains("Malformed JSON at line 4", bad.Stderr, StringComparison.Ordinal);

            // An invalid definition: ECS's message.
            var noImage = Path.Combine(dir, "noimage.json");
            await File.WriteAllTextAsync(noImage, """{"family":"x","containerDefinitions":[{"name":"a","memory":32}]}""", TestContext.Current.CancellationToken);
            Assert.Contains("Container.image should not be null or empty.", (await cluster.OrchAsync("taskdef", "register", "--file", noImage)).Stderr, StringComparison.Ordinal);

            // An image that is neither local nor pullable: STOPPED with CannotPullContainerError, never stuck PENDING.
            var unpullable = Path.Combine(dir, "unpullable.json");
            await File.WriteAllTextAsync(unpullable, """{"family":"unpullable","containerDefinitions":[{"name":"a","image":"127.0.0.1:5999/missing/image:1","memory":32}]}""", TestContext.Current.CancellationToken);
            (await cluster.OrchAsync("taskdef", "register", "--file", unpullable)).EnsureSuccess();
            var run = await cluster.OrchAsync("task", "run", "--cluster", cluster.ClusterName, "--task-definition", "unpullable", "--wait", "--timeout", "60s");
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("CannotPullContainerError", run.Stdout + run.Stderr, StringComparison.Ordinal);

            // A static host port already in use is not placed there.
            var staticPort = Path.Combine(dir, "static.json");
            await File.WriteAllTextAsync(staticPort, """{"family":"static","containerDefinitions":[{"name":"a","image":"local/busybox:1","memory":16,"command":["sleep","600"],"portMappings":[{"containerPort":80,"hostPort":18080}]}]}""", TestContext.Current.CancellationToken);
            (await cluster.OrchAsync("taskdef", "register", "--file", staticPort)).EnsureSuccess();
            (await cluster.OrchAsync("task", "run", "--cluster", cluster.ClusterName, "--task-definition", "static")).EnsureSuccess();
            var refused = await cluster.OrchAsync("task", "run", "--cluster", cluster.ClusterName, "--task-definition", "static", "--output", "json");
            Assert.Equal(1, refused.ExitCode); // nothing was placed
            var second = EcsJson.Deserialize<TasksResponse>(refused.Stdout);
            Assert.Empty(second.Tasks);
            Assert.Equal("RESOURCE:PORTS", Assert.Single(second.Failures).Reason);

            // No instance fits: the failure says why.
            var huge = Path.Combine(dir, "huge.json");
            await File.WriteAllTextAsync(huge, """{"family":"huge","containerDefinitions":[{"name":"a","image":"local/busybox:1","memory":100000000}]}""", TestContext.Current.CancellationToken);
            (await cluster.OrchAsync("taskdef", "register", "--file", huge)).EnsureSuccess();
            var tooBig = await cluster.OrchAsync("task", "run", "--cluster", cluster.ClusterName, "--task-definition", "huge");
            Assert.NotEqual(0, tooBig.ExitCode);
            Assert.Contains("RESOURCE:MEMORY", tooBig.Stdout + tooBig.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
