using System.Text.Json;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests.Lab;

/// <summary>
/// One two-host lab whose control plane has an access key for the AWS CLI and a scaling hook: a script that appends
/// its arguments to a file, looked at every second.
/// </summary>
public sealed class CapacityLab : IAsyncLifetime
{
    public const string KeyId = "AKIDCAPACITYLAB";
    public const string Secret = "capacity/lab+secret";

    public LabCluster Lab { get; private set; } = null!;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("orch-capacity-").FullName;

    public string HookOutput => Path.Combine(Directory, "hook.out");

    public AwsCli Aws => new($"http://127.0.0.1:{Lab.HttpPort}", KeyId, Secret);

    public async ValueTask InitializeAsync()
    {
        var keys = Path.Combine(Directory, "keys");
        var hook = Path.Combine(Directory, "hook.sh");
        await File.WriteAllTextAsync(keys, $"{KeyId} {Secret}\n");
        await File.WriteAllTextAsync(hook, $"#!/bin/sh\necho \"$@\" >> '{HookOutput}'\n");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Lab = await LabCluster.StartAsync(new LabOptions
        {
            Hosts = 2,
            ControlPlaneArguments = ["--access-keys-file", keys, "--scaling-hook", hook, "--scaling-interval", "00:00:01"],
        });
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
/// Capacity providers end to end on two lab hosts with the real AWS CLI: two providers chosen by an attribute, a
/// service with base 1 on A and weights 1:3 placed as ECS's documented example says (counted per host), the
/// reservation metric following the tasks' needs, and the scaling hook asked for the right instance count — and on
/// a scale-in, told to remove only the host without the protected task.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class CapacityProviderLabTests(CapacityLab fixture) : IClassFixture<CapacityLab>
{
    private readonly LabCluster _lab = fixture.Lab;
    private readonly AwsCli _aws = fixture.Aws;

    [Fact(Timeout = 420_000)]
    public async Task TwoProvidersByAttribute_ServiceStrategy_ReservationAndScalingHook()
    {
        var token = TestContext.Current.CancellationToken;
        var cluster = _lab.ClusterName;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (h1, h2) = (await _lab.InstanceAsync(_lab.Hosts[0]), await _lab.InstanceAsync(_lab.Hosts[1]));
        await _aws.JsonAsync("ecs", "put-attributes", "--cluster", cluster, "--attributes",
            $"name=pool,value=a,targetId={h1.ContainerInstanceArn}", $"name=pool,value=b,targetId={h2.ContainerInstanceArn}");
        var scaling = ""","managedScaling":{"status":"ENABLED","targetCapacity":100,"maximumScalingStepSize":1,"instanceWarmupPeriod":0},"managedTerminationProtection":"ENABLED"}""";
        await _aws.JsonAsync("ecs", "create-capacity-provider", "--name", "pa", "--auto-scaling-group-provider", """{"autoScalingGroupArn":"attribute:pool == a" """ + scaling);
        await _aws.JsonAsync("ecs", "create-capacity-provider", "--name", "pb", "--auto-scaling-group-provider", """{"autoScalingGroupArn":"attribute:pool == b" """ + scaling);
        await _aws.JsonAsync("ecs", "create-capacity-provider", "--name", "pall", "--auto-scaling-group-provider", """{"autoScalingGroupArn":"attribute:pool exists" """ + scaling);
        var attached = await _aws.JsonAsync("ecs", "put-cluster-capacity-providers", "--cluster", cluster,
            "--capacity-providers", "pa", "pb", "pall", "--default-capacity-provider-strategy", "[]");
        Assert.Equal(3, attached.GetProperty("cluster").GetProperty("capacityProviders").GetArrayLength());

        // Each task takes a quarter of a CPU: a lab host (2 CPUs here: 2048 units or more) holds 8 of them at most.
        var cpuUnits = h2.RegisteredResources.Single(r => r.Name == "CPU").IntegerValue;
        var perTask = (int)(cpuUnits / 8);
        await _aws.JsonAsync("ecs", "register-task-definition", "--family", "capacity-sleep", "--container-definitions",
            $$"""[{"name":"sleep","image":"local/busybox:1","cpu":{{perTask}},"memory":16,"command":["sleep","3600"],"stopTimeout":1}]""");
        var created = await _aws.JsonAsync("ecs", "create-service", "--cluster", cluster, "--service-name", "spread", "--task-definition", "capacity-sleep",
            "--desired-count", "9", "--capacity-provider-strategy", "capacityProvider=pa,base=1,weight=1", "capacityProvider=pb,weight=3");
        Assert.False(created.GetProperty("service").TryGetProperty("launchType", out _));

        // ECS's example: base 1 on A, then 8 at 1:3 → A 1 + 2, B 6. Counted per host from DescribeTasks.
        var perHost = await RunningPerHostAsync(9);
        TestContext.Current.TestOutputHelper?.WriteLine($"9 tasks running after {clock.Elapsed.TotalSeconds:F0} s");
        Assert.Equal((3, 6), (perHost.GetValueOrDefault(h1.ContainerInstanceArn), perHost.GetValueOrDefault(h2.ContainerInstanceArn)));
        var inUse = await _aws.RunAsync("ecs", "delete-capacity-provider", "--capacity-provider", "pa");
        Assert.NotEqual(0, inUse.ExitCode);
        Assert.Contains("ClientException", inUse.Stderr, StringComparison.Ordinal);
        await AssertReservationAsync("pa", 100);
        await AssertReservationAsync("pb", 100);

        // 13 tasks: A 1 + 3, B 9 — but B's host holds 8: one waits, a fresh host's worth → M 2, N 1: 200 %, desired 2.
        await _aws.JsonAsync("ecs", "update-service", "--cluster", cluster, "--service", "spread", "--desired-count", "13");
        await RunningPerHostAsync(12);
        await AssertReservationAsync("pb", 200);
        await AssertReservationAsync("pa", 100);
        var scaleOut = await HookCallAsync("pb", "--desired 2");
        Assert.Equal($"--cluster {cluster} --capacity-provider pb --desired 2 --current 1", scaleOut);

        // Down to one task, protected: the host running it is never the one to go.
        await _aws.JsonAsync("ecs", "update-service", "--cluster", cluster, "--service", "spread", "--desired-count", "1");
        var left = await RunningPerHostAsync(1);
        var kept = Assert.Single(left).Key;
        var empty = kept == h1.ContainerInstanceArn ? h2.ContainerInstanceArn : h1.ContainerInstanceArn;
        var task = (await _aws.JsonAsync("ecs", "list-tasks", "--cluster", cluster, "--service-name", "spread")).GetProperty("taskArns")[0].GetString()!;
        var protectedTask = await _aws.JsonAsync("ecs", "update-task-protection", "--cluster", cluster, "--tasks", task, "--protection-enabled");
        Assert.True(protectedTask.GetProperty("protectedTasks")[0].GetProperty("protectionEnabled").GetBoolean());
        var before = File.Exists(fixture.HookOutput) ? File.ReadAllLines(fixture.HookOutput).Length : 0;
        var scaleIn = await HookCallAsync("pall", "--desired 1", after: before);
        Assert.Equal($"--cluster {cluster} --capacity-provider pall --desired 1 --current 2 --remove {empty}", scaleIn);
        // From the protection on, no call — for any provider — names the host running the protected task. (Before
        // the service existed both hosts were empty, and each single-host provider rightly asked to go to 0.)
        Assert.All(File.ReadAllLines(fixture.HookOutput).Skip(before), l => Assert.DoesNotContain(kept, l, StringComparison.Ordinal));
        await AssertReservationAsync("pall", 50);
        var described = await _lab.OrchJsonAsync("capacity", "describe", "--cluster", cluster);
        var all = described.GetProperty("reservations").EnumerateArray().Single(r => r.GetProperty("capacityProvider").GetString() == "pall");
        Assert.Equal((50.0, 1, 2, 1), (all.GetProperty("value").GetDouble(), all.GetProperty("instancesNeeded").GetInt32(),
            all.GetProperty("instances").GetInt32(), all.GetProperty("desiredInstances").GetInt32()));
        Assert.Equal(empty, all.GetProperty("removeInstances")[0].GetString());
        TestContext.Current.TestOutputHelper?.WriteLine($"done after {clock.Elapsed.TotalSeconds:F0} s");

        await _aws.JsonAsync("ecs", "update-service", "--cluster", cluster, "--service", "spread", "--desired-count", "0");
        await _aws.JsonAsync("ecs", "delete-service", "--cluster", cluster, "--service", "spread");
        _ = token;
    }

    /// <summary>Waits until the service has exactly <paramref name="count"/> RUNNING tasks and none on the way; their count per instance.</summary>
    private async Task<Dictionary<string, int>> RunningPerHostAsync(int count)
    {
        var result = new Dictionary<string, int>();
        await Eventually.Async(async () =>
        {
            var arns = (await _aws.JsonAsync("ecs", "list-tasks", "--cluster", _lab.ClusterName, "--service-name", "spread"))
                .GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!).ToList();
            Assert.True(arns.Count >= count, $"{arns.Count} tasks");
            var tasks = (await _aws.JsonAsync(["ecs", "describe-tasks", "--cluster", _lab.ClusterName, "--tasks", .. arns])).GetProperty("tasks").EnumerateArray().ToList();
            var running = tasks.Where(t => t.GetProperty("lastStatus").GetString() == "RUNNING" && t.GetProperty("desiredStatus").GetString() == "RUNNING").ToList();
            Assert.Equal(count, running.Count);
            Assert.Equal(count, tasks.Count(t => t.GetProperty("desiredStatus").GetString() == "RUNNING"));
            Assert.All(running, t => Assert.False(t.TryGetProperty("launchType", out _)));
            result = running.GroupBy(t => t.GetProperty("containerInstanceArn").GetString()!).ToDictionary(g => g.Key, g => g.Count());
            Assert.All(running, t => Assert.Contains(t.GetProperty("capacityProviderName").GetString(), new[] { "pa", "pb" }));
        }, TimeSpan.FromSeconds(90), _lab.Diagnostics);
        return result;
    }

    private async Task AssertReservationAsync(string provider, double value)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string line = "";
        await Eventually.Async(async () =>
        {
            var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{_lab.HttpPort}/metrics"));
            line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("orch_capacity_provider_reservation", StringComparison.Ordinal) &&
                                                             l.Contains($"capacity_provider=\"{provider}\"", StringComparison.Ordinal)) ?? "";
            Assert.NotEqual("", line);
            var figure = line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0];
            Assert.Equal(value, double.Parse(figure, System.Globalization.CultureInfo.InvariantCulture));
        }, TimeSpan.FromSeconds(30), () => line);
        TestContext.Current.TestOutputHelper?.WriteLine(line);
    }

    private async Task<string> HookCallAsync(string provider, string desired, int after = 0)
    {
        var found = "";
        await Eventually.Async(() =>
        {
            var lines = File.Exists(fixture.HookOutput) ? File.ReadAllLines(fixture.HookOutput).Skip(after) : [];
            found = lines.LastOrDefault(l => l.Contains($"--capacity-provider {provider} {desired} ", StringComparison.Ordinal)) ?? "";
            Assert.NotEqual("", found);
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(30), () => File.Exists(fixture.HookOutput) ? File.ReadAllText(fixture.HookOutput) : "(no hook call)");
        TestContext.Current.TestOutputHelper?.WriteLine(found);
        return found.Trim();
    }
}
