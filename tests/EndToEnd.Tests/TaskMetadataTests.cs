using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// The task metadata endpoint and the introspection API with real processes and real containers: a bridge and a
/// host-mode container read their own task and stats through <c>ECS_CONTAINER_METADATA_URI_V4</c>; another task's
/// token, a guessed one and the host presenting a container's token are refused; <c>/v1/metadata</c> and
/// <c>/v1/tasks</c> on loopback list the instance and its tasks.
/// </summary>
public sealed class TaskMetadataTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 240_000)]
    public async Task BridgeAndHostContainers_ReadTheirOwnTask_AndNoOtherTask()
    {
        var token = TestContext.Current.CancellationToken;
        var (metadataPort, introspectionPort) = (FreePort(), FreePort());
        await using var cluster = await LocalCluster.StartAsync(token,
            $"--Agent:MetadataPort={metadataPort}", $"--Agent:IntrospectionEndpoint=127.0.0.1:{introspectionPort}", "--Agent:StatsInterval=00:00:01");
        await RegisterAsync(cluster, "meta-bridge", NetworkModes.Bridge);
        await RegisterAsync(cluster, "meta-host", NetworkModes.Host);

        var a = await RunAsync(cluster, "meta-bridge");
        var b = await RunAsync(cluster, "meta-bridge");
        var h = await RunAsync(cluster, "meta-host");
        var (idA, idB, idH) = (a.Containers[0].RuntimeId!, b.Containers[0].RuntimeId!, h.Containers[0].RuntimeId!);

        // The variables: v4 and v3, the same token, the bridge gateway for bridge, loopback for host mode.
        var uriA = await EnvironmentAsync(idA, "ECS_CONTAINER_METADATA_URI_V4");
        var uriB = await EnvironmentAsync(idB, "ECS_CONTAINER_METADATA_URI_V4");
        var uriH = await EnvironmentAsync(idH, "ECS_CONTAINER_METADATA_URI_V4");
        Assert.Matches($@"^http://\d+\.\d+\.\d+\.\d+:{metadataPort}/v4/[0-9a-f]{{32}}$", uriA);
        Assert.StartsWith($"http://127.0.0.1:{metadataPort}/v4/", uriH, StringComparison.Ordinal);
        Assert.Equal(uriA.Replace("/v4/", "/v3/", StringComparison.Ordinal), await EnvironmentAsync(idA, "ECS_CONTAINER_METADATA_URI"));
        Assert.NotEqual(uriA, uriB);

        // From inside the bridge container: its own container and task.
        var container = await GetJsonAsync(idA, "$ECS_CONTAINER_METADATA_URI_V4");
        Assert.Equal(idA, container.GetProperty("DockerId").GetString());
        Assert.Equal("app", container.GetProperty("Name").GetString());
        Assert.Equal("RUNNING", container.GetProperty("KnownStatus").GetString());
        Assert.Equal(64, container.GetProperty("Limits").GetProperty("Memory").GetInt32());
        Assert.Equal(a.TaskArn, container.GetProperty("Labels").GetProperty("com.amazonaws.ecs.task-arn").GetString());
        var task = await GetJsonAsync(idA, "$ECS_CONTAINER_METADATA_URI_V4/task");
        Assert.Equal(a.TaskArn, task.GetProperty("TaskARN").GetString());
        Assert.Equal(cluster.ClusterName, task.GetProperty("Cluster").GetString());
        Assert.Equal(("meta-bridge", "1"), (task.GetProperty("Family").GetString(), task.GetProperty("Revision").GetString()));
        Assert.Equal(idA, Assert.Single(task.GetProperty("Containers").EnumerateArray().ToList()).GetProperty("DockerId").GetString());
        var v3 = await GetJsonAsync(idA, "$ECS_CONTAINER_METADATA_URI/task");
        Assert.Equal(a.TaskArn, v3.GetProperty("TaskARN").GetString());
        // No environment value reaches an answer.
        Assert.DoesNotContain("s3cr3t-value", task.GetRawText(), StringComparison.Ordinal);

        // And from the host-mode container.
        Assert.Equal(h.TaskArn, (await GetJsonAsync(idH, "$ECS_CONTAINER_METADATA_URI_V4/task")).GetProperty("TaskARN").GetString());

        // Its stats: a Docker sample of this container, with CPU figures from the previous one and memory in use.
        await Eventually.Async(async () =>
        {
            var stats = await GetJsonAsync(idA, "$ECS_CONTAINER_METADATA_URI_V4/stats");
            Assert.Equal(idA, stats.GetProperty("id").GetString());
            Assert.True(stats.GetProperty("memory_stats").GetProperty("usage").GetInt64() > 0);
            Assert.True(stats.GetProperty("precpu_stats").TryGetProperty("cpu_usage", out _), "no previous sample yet");
            Assert.True(stats.TryGetProperty("network_rate_stats", out _));
            var taskStats = await GetJsonAsync(idA, "$ECS_CONTAINER_METADATA_URI_V4/task/stats");
            Assert.Equal(idA, taskStats.GetProperty(idA).GetProperty("id").GetString());
            Assert.False(taskStats.TryGetProperty(idB, out _));
        }, TimeSpan.FromSeconds(30), cluster.Diagnostics);

        // Refused: B's token presented by A, a guessed token, A's token presented by the host (not A's address).
        Assert.Equal("404", await StatusFromAsync(idA, uriB + "/task"));
        var guessed = uriA[..uriA.LastIndexOf('/')] + "/" + new string('0', 32);
        Assert.Equal("404", await StatusFromAsync(idA, guessed + "/task"));
        Assert.Equal("404", await StatusFromAsync(idA, uriA[..uriA.LastIndexOf('/')] + uriH[uriH.LastIndexOf('/')..] + "/task"));
        using var http = new HttpClient();
        using var fromHost = await http.GetAsync(new Uri(uriA + "/task"), token);
        Assert.Equal(HttpStatusCode.NotFound, fromHost.StatusCode);
        var body = await fromHost.Content.ReadAsStringAsync(token);
        Assert.StartsWith("\"V4 task metadata handler: unable to get container ID", body, StringComparison.Ordinal);
        Assert.DoesNotContain(a.TaskArn, body, StringComparison.Ordinal);

        // Rate limited per source address (ECS: 40/s, bursts of 60): the host flooding gets 429s, the container still answers.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 150; i++)
        {
            using var response = await http.GetAsync(new Uri(uriA + "/task"), token);
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(a.TaskArn, (await GetJsonAsync(idA, "$ECS_CONTAINER_METADATA_URI_V4/task")).GetProperty("TaskARN").GetString());

        // Introspection on loopback: the instance and its tasks.
        var instanceArn = (await cluster.WaitForConnectedInstanceAsync()).GetProperty("containerInstanceArn").GetString();
        var introspection = new Uri($"http://127.0.0.1:{introspectionPort}/");
        using var metadata = JsonDocument.Parse(await http.GetStringAsync(new Uri(introspection, "v1/metadata"), token));
        Assert.Equal(cluster.ClusterName, metadata.RootElement.GetProperty("Cluster").GetString());
        Assert.Equal(instanceArn, metadata.RootElement.GetProperty("ContainerInstanceArn").GetString());
        Assert.Contains(" - v", metadata.RootElement.GetProperty("Version").GetString(), StringComparison.Ordinal);
        using var tasks = JsonDocument.Parse(await http.GetStringAsync(new Uri(introspection, "v1/tasks"), token));
        var listed = tasks.RootElement.GetProperty("Tasks").EnumerateArray().ToList();
        Assert.Equal(new[] { a.TaskArn, b.TaskArn, h.TaskArn }.Order(), listed.Select(t => t.GetProperty("Arn").GetString()).Order());
        Assert.All(listed, t => Assert.Equal("RUNNING", t.GetProperty("KnownStatus").GetString()));
        using var byArn = JsonDocument.Parse(await http.GetStringAsync(new Uri(introspection, $"v1/tasks?taskarn={Uri.EscapeDataString(b.TaskArn)}"), token));
        Assert.Equal(idB, Assert.Single(byArn.RootElement.GetProperty("Containers").EnumerateArray().ToList()).GetProperty("DockerId").GetString());
        using var byId = JsonDocument.Parse(await http.GetStringAsync(new Uri(introspection, $"v1/tasks?dockerid={idH[..12]}"), token));
        Assert.Equal(h.TaskArn, byId.RootElement.GetProperty("Arn").GetString());
        using var missing = await http.GetAsync(new Uri(introspection, "v1/tasks?taskarn=arn:aws:ecs:x:1:task/none"), token);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var both = await http.GetAsync(new Uri(introspection, $"v1/tasks?taskarn=x&dockerid={idA}"), token);
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        using var stats = JsonDocument.Parse(await http.GetStringAsync(new Uri(introspection, "v1/stats"), token));
        Assert.Equal(3, stats.RootElement.GetProperty("Tasks").GetArrayLength());
        TestContext.Current.TestOutputHelper?.WriteLine(stats.RootElement.GetRawText());
    }

    [Fact(Timeout = 180_000)]
    public async Task MetadataAndIntrospectionOff_NoVariables_NothingListens()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await LocalCluster.StartAsync(token,
            "--Agent:MetadataPort=0", "--Agent:IntrospectionEndpoint=", "--Agent:StatsEnabled=false");
        await RegisterAsync(cluster, "meta-bridge", NetworkModes.Bridge);
        var a = await RunAsync(cluster, "meta-bridge");

        var environment = (await Commands.RunAsync("docker", ["exec", a.Containers[0].RuntimeId!, "env"])).EnsureSuccess().Stdout;
        Assert.DoesNotContain("ECS_CONTAINER_METADATA_URI", environment, StringComparison.Ordinal);
        var output = cluster.Agent!.Output;
        Assert.Contains("Container stats sampling is off", output, StringComparison.Ordinal);
        Assert.Contains("The task metadata endpoint is off", output, StringComparison.Ordinal);
        Assert.DoesNotContain("The introspection API listens", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task StreamMode_StatsComeFromDockersStream()
    {
        var token = TestContext.Current.CancellationToken;
        await using var cluster = await LocalCluster.StartAsync(token,
            $"--Agent:MetadataPort={FreePort()}", $"--Agent:IntrospectionEndpoint=127.0.0.1:{FreePort()}", "--Agent:StatsMode=stream", "--Agent:StatsInterval=00:00:01");
        await RegisterAsync(cluster, "meta-bridge", NetworkModes.Bridge);
        var id = (await RunAsync(cluster, "meta-bridge")).Containers[0].RuntimeId!;

        await Eventually.Async(async () =>
        {
            var stats = await GetJsonAsync(id, "$ECS_CONTAINER_METADATA_URI_V4/stats");
            Assert.Equal(id, stats.GetProperty("id").GetString());
            Assert.True(stats.GetProperty("memory_stats").GetProperty("usage").GetInt64() > 0);
            Assert.True(stats.GetProperty("precpu_stats").GetProperty("cpu_usage").GetProperty("total_usage").GetInt64() > 0, "no previous sample yet");
        }, TimeSpan.FromSeconds(30), cluster.Diagnostics);
    }

    private static async Task RegisterAsync(LocalCluster cluster, string family, string networkMode)
    {
        var definition = new RegisterTaskDefinitionRequest
        {
            Family = family,
            NetworkMode = networkMode,
            ContainerDefinitions =
            [
                new ContainerDefinition
                {
                    Name = "app",
                    Image = "local/busybox:1",
                    Memory = 64,
                    Cpu = 128,
                    Command = ["sleep", "600"],
                    Environment = [new NameValuePair("PASSWORD", "s3cr3t-value")],
                    StopTimeout = 1,
                },
            ],
        };
        var file = Path.Combine(Path.GetTempPath(), $"orch-{family}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, EcsJson.Serialize(definition), Token);
        try
        {
            (await cluster.OrchAsync("taskdef", "register", "--file", file)).EnsureSuccess();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<EcsTask> RunAsync(LocalCluster cluster, string family)
    {
        var run = await cluster.OrchJsonAsync<TasksResponse>("task", "run", "--cluster", cluster.ClusterName, "--task-definition", family, "--wait", "--timeout", "90s");
        var task = Assert.Single(run.Tasks);
        var described = Assert.Single((await cluster.OrchJsonAsync<TasksResponse>("task", "describe", "--cluster", cluster.ClusterName, task.TaskArn)).Tasks);
        Assert.Equal("RUNNING", described.LastStatus);
        return described;
    }

    private static async Task<string> EnvironmentAsync(string containerId, string name) =>
        (await Commands.RunAsync("docker", ["exec", containerId, "sh", "-c", $"echo \"${name}\""])).EnsureSuccess().Stdout.Trim();

    private static async Task<JsonElement> GetJsonAsync(string containerId, string url)
    {
        var output = (await Commands.RunAsync("docker", ["exec", containerId, "sh", "-c", $"wget -qO- \"{url}\""])).EnsureSuccess().Stdout;
        using var document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    /// <summary>The HTTP status the container gets for <paramref name="url"/> (busybox wget prints it on failure).</summary>
    private static async Task<string> StatusFromAsync(string containerId, string url)
    {
        var result = await Commands.RunAsync("docker", ["exec", containerId, "sh", "-c", $"wget -S -qO- \"{url}\" 2>&1; true"]);
        var line = result.Stdout.Split('\n').FirstOrDefault(l => l.Contains("HTTP/1.1", StringComparison.Ordinal)) ?? result.Stdout;
        return line.Contains(" 200", StringComparison.Ordinal) ? "200" : line.Contains(" 404", StringComparison.Ordinal) ? "404" : line;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
