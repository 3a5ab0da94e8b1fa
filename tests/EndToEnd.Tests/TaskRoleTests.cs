using System.Text.Json;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Task roles end to end, with real processes, Docker and the real AWS CLI: a task whose definition names a role runs
/// the AWS CLI inside its container (the host's Debian awscli, bind-mounted read-only into local/busybox:1) with no
/// keys configured. The CLI's default credential chain finds <c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c>, fetches
/// the keys from 169.254.170.2 (the agent's iptables redirect to its metadata endpoint) and calls this control plane:
/// ListTasks is allowed by the role's policy, StopTask on another service's task is refused with ECS's
/// AccessDeniedException. The keys are short-lived (30 s here): the ones fetched first are refused once expired while
/// the task keeps working with rotated ones, and the newest are refused once the task stops. Another task cannot read
/// them, nor can the host; no secret key or session token reaches a log line of either program.
/// </summary>
public sealed class TaskRoleTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 240_000)]
    public async Task TaskWithRole_CallsTheApiWithItsOwnShortLivedKeys_AsItsPolicySays()
    {
        var metadataPort = FreePort();
        try
        {
            await RunAsync(metadataPort, TestContext.Current.CancellationToken);
        }
        finally
        {
            await RemoveRulesAsync(metadataPort);
        }
    }

    private static async Task RunAsync(int metadataPort, CancellationToken token)
    {
        var gateway = await BridgeGatewayAsync();
        await using var cluster = new LocalCluster
        {
            ExtraArguments = ["--Logging:LogLevel:Default=Debug"],
            AgentArguments = [$"--Agent:MetadataPort={metadataPort}"],
            // The container reaches the ECS API at the bridge's gateway; keys are required (LocalCluster's key file).
            ControlPlaneArguments = ["--http-listen", "0.0.0.0", "--ControlPlane:TaskCredentialLifetime=00:00:30"],
        };
        await cluster.StartControlPlaneAsync();
        (await cluster.OrchAsync("cluster", "create", cluster.ClusterName)).EnsureSuccess();
        await cluster.StartAgentAsync();
        await cluster.WaitForConnectedInstanceAsync();
        var aws = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);

        // The role: read the cluster's tasks; stop tasks only in another cluster; never run tasks (an explicit deny).
        var role = "ci-runner-" + Guid.NewGuid().ToString("N")[..8];
        var policy = WriteTemp("policy.json", """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["ecs:ListTasks","ecs:Describe*"],"Resource":"*"},
              {"Effect":"Allow","Action":"ecs:StopTask","Resource":"arn:aws:ecs:us-east-1:000000000000:task/some-other-cluster/*"},
              {"Effect":"Deny","Action":"ecs:RunTask","Resource":"*"}]}
            """);
        var created = await cluster.OrchJsonAsync("role", "create", role, "--policy-document", "file://" + policy, "--description", "e2e");
        var roleArn = created.GetProperty("arn").GetString()!;
        Assert.Equal($"arn:aws:iam::000000000000:role/{role}", roleArn);
        Assert.Contains(role, (await cluster.OrchAsync("role", "list")).EnsureSuccess().Stdout, StringComparison.Ordinal);

        // Another service's task: the one the role's task must not be able to stop.
        await RegisterAsync(aws, """{"family":"victim","containerDefinitions":[{"name":"app","image":"local/busybox:1","memory":32,"command":["sleep","600"]}]}""");
        (await aws.RunAsync("ecs", "create-service", "--cluster", cluster.ClusterName, "--service-name", "victim", "--task-definition", "victim",
            "--desired-count", "1")).EnsureSuccess();
        var victim = await WaitForRunningAsync(aws, cluster, "--service-name", "victim");

        // The caller: the host's awscli, read-only, in busybox; no keys anywhere in its environment or files.
        var mounts = new List<(string Name, string Host, string Container)> { ("usr", "/usr", "/usr"), ("lib", "/usr/lib", "/lib") };
        if (Directory.Exists("/usr/lib64"))
        {
            mounts.Add(("lib64", "/usr/lib64", "/lib64"));
        }

        var volumes = string.Join(',', mounts.Select(m => "{\"name\":\"" + m.Name + "\",\"host\":{\"sourcePath\":\"" + m.Host + "\"}}"));
        var mountPoints = string.Join(',', mounts.Select(m => $$"""{"sourceVolume":"{{m.Name}}","containerPath":"{{m.Container}}","readOnly":true}"""));
        await RegisterAsync(aws, $$"""
            {"family":"caller","taskRoleArn":"{{roleArn}}","networkMode":"bridge","volumes":[{{volumes}}],
             "containerDefinitions":[{"name":"app","image":"local/busybox:1","memory":256,"command":["sleep","600"],
               "environment":[{"name":"HOME","value":"/tmp"},{"name":"AWS_DEFAULT_REGION","value":"us-east-1"},{"name":"AWS_PAGER","value":""}],
               "mountPoints":[{{mountPoints}}]}]}
            """);

        // A role that does not exist is refused at RunTask, as ECS refuses a role it cannot assume.
        var missing = await aws.RunAsync("ecs", "run-task", "--cluster", cluster.ClusterName, "--task-definition", "caller",
            "--overrides", """{"taskRoleArn":"arn:aws:iam::000000000000:role/no-such-role"}""");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("ClientException", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("no-such-role", missing.Stderr, StringComparison.Ordinal);

        (await aws.RunAsync("ecs", "run-task", "--cluster", cluster.ClusterName, "--task-definition", "caller")).EnsureSuccess();
        var caller = await WaitForRunningAsync(aws, cluster, "--family", "caller");
        var callerContainer = caller.GetProperty("containers")[0].GetProperty("runtimeId").GetString()!;
        var victimContainer = victim.GetProperty("containers")[0].GetProperty("runtimeId").GetString()!;
        var victimArn = victim.GetProperty("taskArn").GetString()!;
        var callerArn = caller.GetProperty("taskArn").GetString()!;

        var relative = await ExecAsync(callerContainer, "printf %s \"$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI\"");
        Assert.Matches("^/v2/credentials/[0-9a-f]{32}$", relative.Stdout);
        Assert.DoesNotContain("AWS_ACCESS_KEY_ID", (await ExecAsync(callerContainer, "env")).Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("AWS_CONTAINER_CREDENTIALS", (await ExecAsync(victimContainer, "env")).Stdout, StringComparison.Ordinal);

        // The keys, as the SDKs read them: ECS's shape, ASIA…, the role, an expiry.
        var first = await CredentialsAsync(callerContainer, relative.Stdout);
        var firstKey = first.GetProperty("AccessKeyId").GetString()!;
        Assert.StartsWith("ASIA", firstKey, StringComparison.Ordinal);
        Assert.Equal(roleArn, first.GetProperty("RoleArn").GetString());
        Assert.True(first.GetProperty("Token").GetString()!.Length > 40);
        var expiration = DateTimeOffset.Parse(first.GetProperty("Expiration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiration - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromSeconds(35));

        // The first keys work from anywhere while valid (as AWS's do), with their session token only.
        var firstKeys = new Keys(firstKey, first.GetProperty("SecretAccessKey").GetString()!, first.GetProperty("Token").GetString()!);
        AssertSucceeded(await WithKeysAsync(cluster, firstKeys, "ecs", "list-tasks", "--cluster", cluster.ClusterName));
        var noToken = await WithKeysAsync(cluster, firstKeys with { SessionToken = "" }, "ecs", "list-tasks", "--cluster", cluster.ClusterName);
        Assert.Contains("UnrecognizedClientException", noToken.Stderr, StringComparison.Ordinal);
        var wrongToken = await WithKeysAsync(cluster, firstKeys with { SessionToken = firstKeys.SessionToken[..^4] + "AAAA" }, "ecs", "list-tasks", "--cluster", cluster.ClusterName);
        Assert.Contains("UnrecognizedClientException", wrongToken.Stderr, StringComparison.Ordinal);

        // Nobody else gets them: the other task (no role) with the caller's ID, the host at the endpoint, a guessed ID.
        var stolen = await ExecAsync(victimContainer, $"wget -S -qO- http://169.254.170.2{relative.Stdout} 2>&1; true");
        Assert.Contains("400", stolen.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(firstKey, stolen.Stdout, StringComparison.Ordinal);
        var guessed = await ExecAsync(callerContainer, $"wget -S -qO- http://169.254.170.2/v2/credentials/{new string('0', 32)} 2>&1; true");
        Assert.Contains("400", guessed.Stdout, StringComparison.Ordinal);
        var metadataUri = (await ExecAsync(callerContainer, "printf %s \"$ECS_CONTAINER_METADATA_URI_V4\"")).Stdout;
        using (var http = new HttpClient())
        {
            using var fromHost = await http.GetAsync(new Uri(new Uri(metadataUri), relative.Stdout), token);
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, fromHost.StatusCode);
            var body = await fromHost.Content.ReadAsStringAsync(token);
            Assert.Equal("""{"code":"InvalidIdInRequest","message":"CredentialsV2Request: Credentials not found"}""", body);
        }

        // Inside the container, no keys configured: ListTasks is allowed, StopTask on the other service's task is not.
        var endpoint = $"http://{gateway}:{cluster.HttpPort}";
        var list = await ExecAsync(callerContainer, $"/usr/bin/aws --endpoint-url {endpoint} ecs list-tasks --cluster {cluster.ClusterName} --output json");
        AssertSucceeded(list);
        var listed = JsonDocument.Parse(list.Stdout).RootElement.GetProperty("taskArns").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(victimArn, listed);
        Assert.Contains(callerArn, listed);
        var stop = await ExecAsync(callerContainer, $"/usr/bin/aws --endpoint-url {endpoint} ecs stop-task --cluster {cluster.ClusterName} --task {victimArn}");
        Assert.NotEqual(0, stop.ExitCode);
        Assert.Contains("AccessDeniedException", stop.Stderr, StringComparison.Ordinal);
        Assert.Contains($"User: arn:aws:sts::000000000000:assumed-role/{role}/{callerArn[(callerArn.LastIndexOf('/') + 1)..]} is not authorized to perform: ecs:StopTask on resource: {victimArn}",
            stop.Stderr, StringComparison.Ordinal);
        var run = await ExecAsync(callerContainer, $"/usr/bin/aws --endpoint-url {endpoint} ecs run-task --cluster {cluster.ClusterName} --task-definition victim");
        Assert.Contains("with an explicit deny", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("RUNNING", (await DescribeAsync(aws, cluster, victimArn)).GetProperty("lastStatus").GetString());

        // They expire: refused afterwards, while the task has been given new keys and keeps working.
        var seen = new List<JsonElement> { first };
        await Eventually.Async(async () =>
        {
            var expired = await WithKeysAsync(cluster, firstKeys, "ecs", "list-tasks", "--cluster", cluster.ClusterName);
            Assert.Contains("ExpiredTokenException", expired.Stderr, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), cluster.Diagnostics, TimeSpan.FromSeconds(2));
        var rotated = await CredentialsAsync(callerContainer, relative.Stdout);
        seen.Add(rotated);
        Assert.NotEqual(firstKey, rotated.GetProperty("AccessKeyId").GetString());
        var again = await ExecAsync(callerContainer, $"/usr/bin/aws --endpoint-url {endpoint} ecs list-tasks --cluster {cluster.ClusterName} --output json");
        AssertSucceeded(again);

        // And die with the task.
        var last = new Keys(rotated.GetProperty("AccessKeyId").GetString()!, rotated.GetProperty("SecretAccessKey").GetString()!, rotated.GetProperty("Token").GetString()!);
        AssertSucceeded(await WithKeysAsync(cluster, last, "ecs", "list-tasks", "--cluster", cluster.ClusterName));
        (await aws.RunAsync("ecs", "stop-task", "--cluster", cluster.ClusterName, "--task", callerArn)).EnsureSuccess();
        var afterStop = await WithKeysAsync(cluster, last, "ecs", "list-tasks", "--cluster", cluster.ClusterName);
        Assert.Contains("UnrecognizedClientException", afterStop.Stderr, StringComparison.Ordinal);

        // No API answer and no log line carries a secret key or session token.
        var describe = (await aws.RunAsync("ecs", "describe-tasks", "--cluster", cluster.ClusterName, "--tasks", callerArn)).EnsureSuccess().Stdout;
        var logs = cluster.Diagnostics();
        Assert.Contains("dbug:", logs, StringComparison.Ordinal);
        foreach (var keys in seen)
        {
            foreach (var secret in new[] { keys.GetProperty("SecretAccessKey").GetString()!, keys.GetProperty("Token").GetString()! })
            {
                Assert.False(logs.Contains(secret, StringComparison.Ordinal), "a task role secret or token is in the logs");
                Assert.DoesNotContain(secret, describe, StringComparison.Ordinal);
            }
        }

        Assert.Contains("sent new role keys ASIA", logs, StringComparison.Ordinal); // key IDs are logged, never secrets
        TestContext.Current.TestOutputHelper?.WriteLine($"checked {logs.Split('\n').Length} log lines; keys seen: {seen.Count}");

        // The agent installed its redirect when the first keys came, and removes it when it stops.
        var port = new Uri(metadataUri).Port;
        Assert.Equal(metadataPort, port);
        Assert.Contains($"orch-task-credentials:{port}", await NatRulesAsync(), StringComparison.Ordinal);
        await cluster.Agent!.StopAsync(TimeSpan.FromSeconds(60));
        Assert.DoesNotContain($"orch-task-credentials:{port}", await NatRulesAsync(), StringComparison.Ordinal);
    }

    private static async Task<string> NatRulesAsync() => (await Commands.RunAsync("iptables", ["-w", "5", "-t", "nat", "-S"])).EnsureSuccess().Stdout;

    /// <summary>Removes the redirect rules of an agent of this test (a failed run kills its agent before it can).</summary>
    private static async Task RemoveRulesAsync(int port)
    {
        foreach (var line in (await NatRulesAsync()).Split('\n').Where(l => l.Contains($"\"orch-task-credentials:{port}\"", StringComparison.Ordinal)))
        {
            var rule = line.Replace("\"", "", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            await Commands.RunAsync("iptables", ["-w", "5", "-t", "nat", "-D", .. rule.Skip(1)]);
        }
    }

    private static void AssertSucceeded(CommandResult result) => Assert.True(result.ExitCode == 0, $"{result.Command}: {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");

    private sealed record Keys(string AccessKeyId, string SecretAccessKey, string SessionToken);

    private static Task<CommandResult> WithKeysAsync(LocalCluster cluster, Keys keys, params string[] arguments) =>
        Commands.RunAsync(AwsCli.Path, ["--endpoint-url", $"http://127.0.0.1:{cluster.HttpPort}", "--region", "us-east-1", "--output", "json", .. arguments],
            TimeSpan.FromMinutes(2),
            new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = keys.AccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = keys.SecretAccessKey,
                ["AWS_SESSION_TOKEN"] = keys.SessionToken,
                ["AWS_PROFILE"] = "",
                ["AWS_CONFIG_FILE"] = "/dev/null",
                ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
                ["AWS_PAGER"] = "cat",
                ["AWS_EC2_METADATA_DISABLED"] = "true",
                ["AWS_MAX_ATTEMPTS"] = "1",
            });

    private static async Task<JsonElement> CredentialsAsync(string container, string relativeUri)
    {
        var result = (await ExecAsync(container, $"wget -qO- http://169.254.170.2{relativeUri}")).EnsureSuccess();
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    private static Task<CommandResult> ExecAsync(string container, string script) =>
        Commands.RunAsync("docker", ["exec", container, "sh", "-c", script], TimeSpan.FromMinutes(2));

    private static async Task RegisterAsync(AwsCli aws, string json)
    {
        var file = WriteTemp("taskdef.json", json);
        (await aws.RunAsync("ecs", "register-task-definition", "--cli-input-json", "file://" + file)).EnsureSuccess();
        File.Delete(file);
    }

    private static async Task<JsonElement> WaitForRunningAsync(AwsCli aws, LocalCluster cluster, params string[] filter)
    {
        JsonElement task = default;
        await Eventually.Async(async () =>
        {
            var arns = (await aws.JsonAsync(["ecs", "list-tasks", "--cluster", cluster.ClusterName, .. filter])).GetProperty("taskArns");
            Assert.Equal(1, arns.GetArrayLength());
            task = await DescribeAsync(aws, cluster, arns[0].GetString()!);
            Assert.Equal("RUNNING", task.GetProperty("lastStatus").GetString());
        }, TimeSpan.FromSeconds(90), cluster.Diagnostics);
        return task;
    }

    private static async Task<JsonElement> DescribeAsync(AwsCli aws, LocalCluster cluster, string taskArn) =>
        (await aws.JsonAsync("ecs", "describe-tasks", "--cluster", cluster.ClusterName, "--tasks", taskArn)).GetProperty("tasks")[0];

    private static async Task<string> BridgeGatewayAsync()
    {
        using var docker = new Docker.DotNet.DockerClientBuilder().WithEndpoint(new Uri("unix:///var/run/docker.sock")).Build();
        var network = await docker.Networks.InspectNetworkAsync("bridge", Token);
        static bool Ipv4(string? address) => System.Net.IPAddress.TryParse(address, out var a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        if (network.IPAM.Config.Select(c => c.Gateway).FirstOrDefault(Ipv4) is { } gateway)
        {
            return gateway;
        }

        // An engine's first start names no gateway (moby/moby#26799): the bridge interface's address is the one.
        var bridge = network.Options["com.docker.network.bridge.name"];
        return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Single(n => n.Name == bridge)
            .GetIPProperties().UnicastAddresses.Select(u => u.Address.ToString()).First(Ipv4);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string WriteTemp(string name, string contents)
    {
        var path = Path.Combine(Path.GetTempPath(), $"orch-role-{Guid.NewGuid():N}-{name}");
        File.WriteAllText(path, contents);
        return path;
    }
}
