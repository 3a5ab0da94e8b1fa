using System.Text;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// <c>repositoryCredentials</c> against a real private registry (<see cref="PrivateRegistry"/>: htpasswd auth, TLS
/// from a test CA) with a real control plane, agent and Docker: the login comes from a secret
/// (<c>{"username","password"}</c>), the task from the private image runs and answers; with a wrong password, or with
/// none, the task stops with CannotPullContainerError (a wrong password: the registry's own 401). The password reaches no API
/// answer, no log line of either program and no file of the agent's data directory.
/// </summary>
public sealed class PrivateRegistryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    // About 60 s on an idle machine; far longer on a loaded one (240 s seen at load average 110).
    [Fact(Timeout = 480_000)]
    public async Task PrivateImage_RunsWithTheSecretsLogin_AndAWrongOrMissingLoginStopsWithTheRegistrys401()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Phase(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s {what}");
        await using var registry = await PrivateRegistry.StartAsync(TestContext.Current.CancellationToken);
        Phase("registry up");
        await using var cluster = await LocalCluster.StartAsync(Token, "--Logging:LogLevel:Default=Debug");
        var image = await registry.PushAsync("local/busybox:1", "team/web:1");
        registry.Track(image);
        Phase("cluster up, image pushed");

        (await cluster.OrchAsync("secret", "create", "registry-login", "--value",
            $$"""{"username":"{{PrivateRegistry.Username}}","password":"{{registry.Password}}"}""")).EnsureSuccess();
        (await cluster.OrchAsync("secret", "create", "registry-wrong", "--value",
            $$"""{"username":"{{PrivateRegistry.Username}}","password":"not-{{registry.Password}}"}""")).EnsureSuccess();
        await RegisterAsync(cluster, "private-wrong", image, "arn:aws:secretsmanager:us-east-1:000000000000:secret:registry-wrong-AbCdEf");
        await RegisterAsync(cluster, "private-none", image, null);
        await RegisterAsync(cluster, "private-web", image, "arn:aws:ssm:us-east-1:000000000000:parameter/registry-login");

        // A wrong password: the registry refuses it and the task stops with its answer.
        var refused = await StoppedAsync(cluster, await RunAsync(cluster, "private-wrong"));
        TestContext.Current.TestOutputHelper?.WriteLine($"wrong password: {refused.StoppedReason}");
        var reason = refused.Containers[0].Reason ?? "";
        Assert.StartsWith("CannotPullContainerError:", reason, StringComparison.Ordinal);
        Assert.True(reason.Contains("401", StringComparison.Ordinal) || reason.Contains("unauthorized", StringComparison.OrdinalIgnoreCase),
            $"the reason does not carry the registry's 401: {reason}");
        Assert.Contains("CannotPullContainerError", refused.StoppedReason, StringComparison.Ordinal);

        Phase("wrong password refused");
        // No login: refused too. (Docker counts 127.0.0.0/8 as an insecure registry: after the 401 over TLS it tries
        // plain HTTP, so the error it reports is the registry's answer to that.)
        var anonymous = await StoppedAsync(cluster, await RunAsync(cluster, "private-none"));
        TestContext.Current.TestOutputHelper?.WriteLine($"no login: {anonymous.StoppedReason}");
        Assert.StartsWith("CannotPullContainerError:", anonymous.Containers[0].Reason, StringComparison.Ordinal);

        Phase("no login refused");
        // The right login: the image is pulled from the registry and the task answers.
        var arn = await RunAsync(cluster, "private-web");
        EcsTask? running = null;
        await Eventually.Async(async () =>
        {
            running = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, arn)).Tasks);
            Assert.Equal("RUNNING", running.LastStatus);
        }, TimeSpan.FromSeconds(60), () => cluster.Diagnostics() + registry.Output);
        var port = running!.Containers[0].NetworkBindings![0].HostPort!.Value;
        using var http = new HttpClient();
        Assert.Contains("Hello from a private image", await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"), Token), StringComparison.Ordinal);
        var pulled = await cluster.Docker.Images.InspectImageAsync(image, Token);
        Assert.Contains(pulled.RepoDigests, d => d.StartsWith($"{registry.Host}/team/web@sha256:", StringComparison.Ordinal));

        Phase("private task answering");
        // The password: in no answer, no log line, no file of the agent.
        var answers = new[]
        {
            (await cluster.OrchAsync("--output", "json", "task", "describe", "--cluster", cluster.ClusterName, arn)).EnsureSuccess().Stdout,
            (await cluster.OrchAsync("--output", "json", "taskdef", "describe", "private-web")).EnsureSuccess().Stdout,
            (await cluster.OrchAsync("--output", "json", "secret", "get-metadata", "registry-login")).EnsureSuccess().Stdout,
        };
        Assert.Contains("arn:aws:ssm:us-east-1:000000000000:parameter/registry-login", answers[1], StringComparison.Ordinal);
        Assert.Contains("dbug:", cluster.Agent!.Output, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(registry.Password);
        Assert.All(answers, a => Assert.DoesNotContain(registry.Password, a, StringComparison.Ordinal));
        Assert.False(cluster.Diagnostics().Contains(registry.Password, StringComparison.Ordinal), "the registry password is in the logs");
        foreach (var file in Directory.GetFiles(cluster.AgentDataDir, "*", SearchOption.AllDirectories))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, Token);
            Assert.False(copy.ToArray().AsSpan().IndexOf(bytes) >= 0, $"the registry password is in {file}");
        }

        (await cluster.OrchAsync("task", "stop", "--cluster", cluster.ClusterName, arn)).EnsureSuccess();
        await StoppedAsync(cluster, arn);
        Phase("stopped");
    }

    private static async Task RegisterAsync(LocalCluster cluster, string family, string image, string? credentials)
    {
        var login = credentials is null ? "" : $$""","repositoryCredentials":{"credentialsParameter":"{{credentials}}"}""";
        var file = Path.Combine(Path.GetTempPath(), $"orch-private-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, $$"""
            {"family":"{{family}}","networkMode":"bridge","containerDefinitions":[{"name":"web","image":"{{image}}","memory":32,"essential":true{{login}},
              "entryPoint":["/bin/sh","-c"],"command":["echo 'Hello from a private image' > /www/index.html && exec httpd -f -p 80 -h /www"],
              "portMappings":[{"containerPort":80,"hostPort":0}],"stopTimeout":2}]}
            """, Token);
        (await cluster.OrchAsync("taskdef", "register", "--file", file)).EnsureSuccess();
        File.Delete(file);
    }

    private static async Task<string> RunAsync(LocalCluster cluster, string family)
    {
        var response = await cluster.OrchJsonAsync<TasksResponse>("task", "run", "-t", family, "--cluster", cluster.ClusterName);
        return Assert.Single(response.Tasks).TaskArn!;
    }

    private static async Task<EcsTask> StoppedAsync(LocalCluster cluster, string arn)
    {
        EcsTask? task = null;
        await Eventually.Async(async () =>
        {
            task = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, arn)).Tasks);
            Assert.Equal("STOPPED", task.LastStatus);
        }, TimeSpan.FromSeconds(90), cluster.Diagnostics);
        return task!;
    }
}
