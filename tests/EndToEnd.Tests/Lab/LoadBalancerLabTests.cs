using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>
/// A two-host lab whose control plane runs the built-in load balancer on loopback (<c>--lb-address 127.0.0.1</c>) and
/// has an access key for the AWS CLI.
/// </summary>
public sealed class BalancerLab : IAsyncLifetime
{
    public const string KeyId = "AKIDBALANCERLAB";
    public const string Secret = "balancer/lab+secret";

    public LabCluster Lab { get; private set; } = null!;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("orch-lb-").FullName;

    public AwsCli Aws => new($"http://127.0.0.1:{Lab.HttpPort}", KeyId, Secret);

    public async ValueTask InitializeAsync()
    {
        var keys = Path.Combine(Directory, "keys");
        await File.WriteAllTextAsync(keys, $"{KeyId} {Secret}\n");
        Lab = await LabCluster.StartAsync(new LabOptions { Hosts = 2, ControlPlaneArguments = ["--access-keys-file", keys, "--lb-address", "127.0.0.1"] });
    }

    public async ValueTask DisposeAsync()
    {
        if (Lab is not null)
        {
            await Lab.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>
/// The built-in load balancer end to end on two lab hosts: a target group and an HTTP listener (`orch lb`), a service
/// of 3 busybox httpd tasks on dynamic host ports put behind it with the AWS CLI (--load-balancers, echoed by
/// describe-services); 200 requests through the listener reach all 3 tasks (each answers with its own hostname); a
/// rolling update to a new revision under a steady request loop loses no request (new tasks join when healthy, old
/// ones drain for the deregistration delay before they are stopped); a task whose container is killed on its lab
/// engine is out of rotation within the health check interval.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LoadBalancerLabTests(BalancerLab fixture) : IClassFixture<BalancerLab>
{
    private const int HealthInterval = 5;
    private readonly LabCluster _lab = fixture.Lab;
    private readonly AwsCli _aws = fixture.Aws;

    [Fact(Timeout = 240_000)]
    public async Task ServiceBehindListener_SpreadsRequests_RollingUpdateLosesNone_KilledTaskLeavesRotation()
    {
        var token = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        var cluster = _lab.ClusterName;
        var port = FreePort();
        var clock = Stopwatch.StartNew();

        var group = await _lab.OrchJsonAsync("lb", "target-group", "create", "web", "--port-protocol", "HTTP", "--health-path", "/",
            "--health-interval", $"{HealthInterval}s", "--deregistration-delay", "3s");
        var groupArn = group.GetProperty("TargetGroups")[0].GetProperty("TargetGroupArn").GetString()!;
        Assert.Matches("^arn:aws:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup/web/[0-9a-f]{16}$", groupArn);
        (await _lab.OrchAsync("lb", "listener", "create", "--port", $"{port}", "--protocol", "HTTP", "--target-group", "web")).EnsureSuccess();
        await RegisterAsync("1");

        var refused = await _aws.RunAsync("ecs", "create-service", "--cluster", cluster, "--service-name", "bad", "--task-definition", "lbweb",
            "--desired-count", "1", "--load-balancers", $"targetGroupArn={groupArn},containerName=main,containerPort=8080");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("InvalidParameterException", refused.Stderr, StringComparison.Ordinal);
        await _aws.JsonAsync("ecs", "create-service", "--cluster", cluster, "--service-name", "web", "--task-definition", "lbweb:1",
            "--desired-count", "3", "--load-balancers", $"targetGroupArn={groupArn},containerName=main,containerPort=80");
        var described = await _aws.JsonAsync("ecs", "describe-services", "--cluster", cluster, "--services", "web");
        var balancer = described.GetProperty("services")[0].GetProperty("loadBalancers")[0];
        Assert.Equal((groupArn, "main", 80), (balancer.GetProperty("targetGroupArn").GetString(), balancer.GetProperty("containerName").GetString(),
            balancer.GetProperty("containerPort").GetInt32()));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var url = new Uri($"http://127.0.0.1:{port}/");
        var identities = new Dictionary<string, int>(StringComparer.Ordinal);
        await Eventually.Async(async () =>
        {
            identities.Clear();
            for (var i = 0; i < 12; i++)
            {
                var body = (await http.GetStringAsync(url, token)).Trim();
                identities[body] = identities.GetValueOrDefault(body) + 1;
            }

            Assert.Equal(3, identities.Count);
        }, TimeSpan.FromSeconds(90), () => $"{string.Join(", ", identities.Keys)}\n{_lab.Diagnostics()}");
        output?.WriteLine($"3 tasks behind the listener after {clock.Elapsed.TotalSeconds:0.0} s");

        // 200 requests reach all 3 tasks.
        identities.Clear();
        for (var i = 0; i < 200; i++)
        {
            using var response = await http.GetAsync(url, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = (await response.Content.ReadAsStringAsync(token)).Trim();
            identities[body] = identities.GetValueOrDefault(body) + 1;
        }

        output?.WriteLine($"200 requests: {string.Join(", ", identities.Select(p => $"{p.Key} {p.Value}"))}");
        Assert.Equal(3, identities.Count);
        Assert.All(identities.Keys, k => Assert.StartsWith("1 ", k, StringComparison.Ordinal));
        Assert.All(identities.Values, n => Assert.InRange(n, 40, 100));

        // A rolling update to revision 2 under a steady request loop (bounded by count and time): no request lost.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var loop = RequestLoopAsync(http, url, stop.Token);
        var rolling = Stopwatch.StartNew();
        (await _lab.OrchAsync("service", "update", "web", "--cluster", cluster, "-t", "lbweb:2")).EnsureSuccess();
        await Eventually.Async(async () =>
        {
            var tasks = await ServiceTasksAsync("RUNNING");
            Assert.Equal(3, tasks.Count);
            Assert.All(tasks, t => Assert.EndsWith(":2", t.GetProperty("taskDefinitionArn").GetString(), StringComparison.Ordinal));
            Assert.Empty(await ServiceTasksAsync("STOPPED", notYetStopped: true));
        }, TimeSpan.FromSeconds(90), _lab.Diagnostics, TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        var (sent, failed, revisions) = await loop;
        output?.WriteLine($"rolling update: {sent} requests in {rolling.Elapsed.TotalSeconds:0.0} s, {failed.Count} failed; answers by revision: " +
                          string.Join(", ", revisions.Select(p => $"{p.Key} {p.Value}")));
        Assert.True(sent > 100, $"only {sent} requests during the update");
        Assert.Empty(failed);
        Assert.True(revisions.ContainsKey("1") && revisions.ContainsKey("2"), "the loop saw both revisions");

        // Kill one task's container on its lab engine: it leaves the rotation within the health check interval.
        var victim = (await ServiceTasksAsync("RUNNING"))[0];
        var victimArn = victim.GetProperty("taskArn").GetString()!;
        var host = _lab.HostOf(Assert.Single(await _lab.InstancesAsync(), i => i.ContainerInstanceArn == victim.GetProperty("containerInstanceArn").GetString()));
        var container = (await host.DockerAsync("ps", "-q", "--filter", $"label=com.amazonaws.ecs.task-arn={victimArn}")).EnsureSuccess().Stdout.Trim();
        Assert.NotEqual("", container);
        var victimName = (await host.DockerAsync("inspect", "-f", "{{.Config.Hostname}}", container)).EnsureSuccess().Stdout.Trim();
        (await host.DockerAsync("kill", container)).EnsureSuccess();
        var killed = Stopwatch.StartNew();
        var clean = 0;
        var failures = 0;
        var lastBad = TimeSpan.Zero;
        for (var i = 0; i < 2000 && clean < 30 && killed.Elapsed < TimeSpan.FromSeconds(30); i++)
        {
            var body = await TryGetAsync(http, url, token);
            if (body is null || body.EndsWith(victimName, StringComparison.Ordinal))
            {
                clean = 0;
                failures += body is null ? 1 : 0;
                lastBad = killed.Elapsed;
            }
            else
            {
                clean++;
            }

            await Task.Delay(20, token);
        }

        var outOfRotation = lastBad;
        output?.WriteLine($"killed task out of rotation after ≈{outOfRotation.TotalSeconds:0.0} s ({failures} requests failed meanwhile; health check interval {HealthInterval} s)");
        Assert.Equal(30, clean);
        Assert.True(outOfRotation < TimeSpan.FromSeconds(HealthInterval + 3), $"out of rotation after {outOfRotation}");
        output?.WriteLine($"done after {clock.Elapsed.TotalSeconds:0.0} s");

        await _aws.JsonAsync("ecs", "delete-service", "--cluster", cluster, "--service", "web", "--force");
    }

    /// <summary>The task definition lbweb (revision N): httpd answering with "N HOSTNAME", healthy once it serves.</summary>
    private async Task RegisterAsync(string revision)
    {
        var definition = $$$"""
            [{"name":"main","image":"local/busybox:1","cpu":64,"memory":32,"essential":true,"stopTimeout":2,
              "entryPoint":["/bin/sh","-c"],
              "command":["echo \"{{{revision}}} $(hostname)\" > /www/index.html && exec httpd -f -p 80 -h /www"],
              "portMappings":[{"containerPort":80,"hostPort":0,"protocol":"tcp"}],
              "healthCheck":{"command":["CMD-SHELL","wget -q -O /dev/null http://127.0.0.1/ || exit 1"],"interval":5,"timeout":2,"retries":2,"startPeriod":0}}]
            """;
        await _aws.JsonAsync("ecs", "register-task-definition", "--family", "lbweb", "--network-mode", "bridge", "--container-definitions", definition);
        if (revision == "1")
        {
            await _aws.JsonAsync("ecs", "register-task-definition", "--family", "lbweb", "--network-mode", "bridge", "--container-definitions", definition.Replace("\\\"1 ", "\\\"2 ", StringComparison.Ordinal));
        }
    }

    /// <summary>GETs the listener every 10 ms until cancelled (at most 20 000 times): how many, which failed, answers per revision.</summary>
    private static async Task<(int Sent, List<string> Failed, Dictionary<string, int> Revisions)> RequestLoopAsync(HttpClient http, Uri url, CancellationToken stop)
    {
        var failed = new List<string>();
        var revisions = new Dictionary<string, int>(StringComparer.Ordinal);
        var sent = 0;
        while (!stop.IsCancellationRequested && sent < 20_000)
        {
            sent++;
            try
            {
                using var response = await http.GetAsync(url, CancellationToken.None);
                var body = (await response.Content.ReadAsStringAsync(CancellationToken.None)).Trim();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failed.Add($"{(int)response.StatusCode} {body}");
                }
                else
                {
                    var revision = body.Split(' ')[0];
                    revisions[revision] = revisions.GetValueOrDefault(revision) + 1;
                }
            }
            catch (HttpRequestException e)
            {
                failed.Add(e.Message);
            }
            catch (TaskCanceledException e)
            {
                failed.Add("timeout: " + e.Message);
            }

            try
            {
                await Task.Delay(10, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (sent, failed, revisions);
    }

    private static async Task<string?> TryGetAsync(HttpClient http, Uri url, CancellationToken token)
    {
        try
        {
            using var response = await http.GetAsync(url, token);
            return response.StatusCode == HttpStatusCode.OK ? (await response.Content.ReadAsStringAsync(token)).Trim() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private async Task<List<JsonElement>> ServiceTasksAsync(string desired, bool notYetStopped = false)
    {
        var arns = (await _aws.JsonAsync("ecs", "list-tasks", "--cluster", _lab.ClusterName, "--service-name", "web", "--desired-status", desired))
            .GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!).ToList();
        if (arns.Count == 0)
        {
            return [];
        }

        var tasks = (await _aws.JsonAsync(["ecs", "describe-tasks", "--cluster", _lab.ClusterName, "--tasks", .. arns])).GetProperty("tasks").EnumerateArray();
        return notYetStopped
            ? tasks.Where(t => t.GetProperty("lastStatus").GetString() != "STOPPED").ToList()
            : tasks.Where(t => t.GetProperty("lastStatus").GetString() == desired).ToList();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
