using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Lab;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>
/// Service auto scaling end to end on the real engine: a service of one task whose container burns CPU for a bounded
/// time, target tracking at 50 % average CPU utilisation set up with the real AWS CLI (<c>aws application-autoscaling</c>,
/// unchanged), min 1 max 3. The agent's stats reach the control plane with its heartbeats; the service scales out to 3
/// RUNNING tasks (never more), and once the load has stopped back in to 1; the scaling activities and the service's
/// events name the metric and its value.
/// </summary>
public sealed class AutoScalingTests
{
    /// <summary>
    /// The load: a busy shell loop (about a tenth of a CPU here) for 30 s, then idle. Gentle on a shared machine
    /// yet far above the 16 CPU units (1.6 % of a CPU) the container reserves. Bounded by timeout.
    /// </summary>
    private const string Burn = "timeout 30 sh -c 'while :; do i=0; while [ $i -lt 40000 ]; do i=$((i+1)); done; sleep 1; done'; sleep 3600";

    [Fact(Timeout = 240_000)]
    public async Task CpuLoad_ScalesOutToMax_ThenBackInToMin_AndTheMetricIsNamed()
    {
        var token = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        await using var cluster = new LocalCluster
        {
            ControlPlaneArguments = ["--AutoScaling:Interval=00:00:02", "--AutoScaling:MetricWindow=00:00:08", "--AutoScaling:ScaleInPeriod=00:00:10"],
            AgentArguments = ["--Agent:StatsInterval=00:00:02"],
        };
        await cluster.StartControlPlaneAsync();
        (await cluster.OrchAsync("cluster", "create", cluster.ClusterName)).EnsureSuccess();
        await cluster.StartAgentAsync();
        await cluster.WaitForConnectedInstanceAsync();
        var aws = new AwsCli($"http://127.0.0.1:{cluster.HttpPort}", LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);
        (await aws.RunAsync("ecs", "register-task-definition", "--family", "burn", "--container-definitions",
            JsonSerializer.Serialize(new[] { new { name = "burn", image = "local/busybox:1", cpu = 16, memory = 32, stopTimeout = 2, command = new[] { "sh", "-c", Burn } } }))).EnsureSuccess();
        (await aws.RunAsync("ecs", "create-service", "--cluster", cluster.ClusterName, "--service-name", "web", "--task-definition", "burn", "--desired-count", "1")).EnsureSuccess();

        var resource = $"service/{cluster.ClusterName}/web";
        (await aws.RunAsync("application-autoscaling", "register-scalable-target", "--service-namespace", "ecs", "--resource-id", resource,
            "--scalable-dimension", "ecs:service:DesiredCount", "--min-capacity", "1", "--max-capacity", "3")).EnsureSuccess();
        var policy = await aws.JsonAsync("application-autoscaling", "put-scaling-policy", "--service-namespace", "ecs", "--resource-id", resource,
            "--scalable-dimension", "ecs:service:DesiredCount", "--policy-name", "cpu50", "--policy-type", "TargetTrackingScaling",
            "--target-tracking-scaling-policy-configuration",
            """{"TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}, "ScaleOutCooldown": 10, "ScaleInCooldown": 10}""");
        Assert.Contains(":scalingPolicy:", policy.GetProperty("PolicyARN").GetString(), StringComparison.Ordinal);
        var refused = await aws.RunAsync("application-autoscaling", "put-scaling-policy", "--service-namespace", "ecs", "--resource-id", resource,
            "--scalable-dimension", "ecs:service:DesiredCount", "--policy-name", "alb", "--policy-type", "TargetTrackingScaling",
            "--target-tracking-scaling-policy-configuration",
            """{"TargetValue": 100, "PredefinedMetricSpecification": {"PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": "app/a/b/targetgroup/c/d"}}""");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("ValidationException", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("which the built-in load balancer does not have", refused.Stderr, StringComparison.Ordinal);

        // The first task starts: the load starts with it.
        await WaitAsync(cluster, "the first task RUNNING", TimeSpan.FromSeconds(60), s => s.Running >= 1);
        // A second task may already be placed and not yet started: the load started with the first one that did.
        var loadStart = (await ServiceTests.ServiceTasksAsync(cluster)).Where(t => t.StartedAt is not null).Min(t => t.StartedAt!.Value);
        var scaledOut = await WaitAsync(cluster, "desired count 3 with 3 tasks RUNNING", TimeSpan.FromSeconds(60), s => s is { Desired: 3, Running: 3 });
        var maxDesired = 3;

        // Each task burns for 30 s from its start; the last one started is the last to stop burning.
        var tasks = await ServiceTests.ServiceTasksAsync(cluster);
        var loadEnd = tasks.Where(t => t.LastStatus == "RUNNING" && t.StartedAt is not null).Max(t => t.StartedAt!.Value).AddSeconds(30);
        DateTimeOffset? scaledIn = null;
        for (var attempt = 0; attempt < 120; attempt++)
        {
            var state = await StateAsync(cluster);
            maxDesired = Math.Max(maxDesired, state.Desired);
            if (state is { Desired: 1, Running: 1 })
            {
                scaledIn = DateTimeOffset.UtcNow;
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), token);
        }

        Assert.True(scaledIn is not null, "the service did not scale back in to 1 within 120 s of scaling out\n" + cluster.Diagnostics());
        Assert.Equal(3, maxDesired); // max respected

        var activities = (await aws.JsonAsync("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs", "--resource-id", resource))
            .GetProperty("ScalingActivities").EnumerateArray().ToList();
        Assert.Contains(activities, a => a.GetProperty("Cause").GetString()!.Contains("ECSServiceAverageCPUUtilization", StringComparison.Ordinal)
            && a.GetProperty("Cause").GetString()!.Contains("> target 50.0", StringComparison.Ordinal) && a.GetProperty("StatusCode").GetString() == "Successful");
        Assert.Contains(activities, a => a.GetProperty("Description").GetString() == "Setting desired count to 1."
            && a.GetProperty("Cause").GetString()!.Contains("< target 50.0", StringComparison.Ordinal));
        Assert.DoesNotContain(activities, a => a.GetProperty("Description").GetString() is "Setting desired count to 4." or "Setting desired count to 5.");

        var events = (await aws.JsonAsync("ecs", "describe-services", "--cluster", cluster.ClusterName, "--services", "web"))
            .GetProperty("services")[0].GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString()!).ToList();
        Assert.Contains(events, m => m.Contains("Successfully set desired count to", StringComparison.Ordinal) && m.Contains("ECSServiceAverageCPUUtilization", StringComparison.Ordinal) && m.Contains("> target 50.0", StringComparison.Ordinal));
        Assert.Contains(events, m => m.Contains("-> 1", StringComparison.Ordinal) && m.Contains("ECSServiceAverageCPUUtilization", StringComparison.Ordinal));

        // orch reads the same.
        var shown = await cluster.OrchJsonAsync("service", "autoscale", "show", "--cluster", cluster.ClusterName, "--service", "web");
        Assert.Equal(3, shown.GetProperty("ScalableTarget").GetProperty("MaxCapacity").GetInt32());
        Assert.Equal("cpu50", shown.GetProperty("ScalingPolicies")[0].GetProperty("PolicyName").GetString());
        var orchActivities = await cluster.OrchJsonAsync("service", "autoscale", "activities", "--cluster", cluster.ClusterName, "--service", "web");
        Assert.Equal(activities.Count, orchActivities.GetProperty("ScalingActivities").GetArrayLength());

        foreach (var activity in activities.AsEnumerable().Reverse())
        {
            output?.WriteLine($"activity: {activity.GetProperty("Description").GetString()} | {activity.GetProperty("Cause").GetString()}");
        }

        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load start (first task's startedAt) → desired 3 and 3 tasks RUNNING seen: {(scaledOut - loadStart).TotalSeconds:0.0} s"));
        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load end (last task's start + 30 s) → desired 1 and 1 task RUNNING: {(scaledIn!.Value - loadEnd).TotalSeconds:0.0} s (scaler interval 2 s, metric window 8 s, scale-in period 10 s, cooldowns 10 s)"));
    }

    private sealed record ServiceState(int Desired, int Running);

    private static async Task<ServiceState> StateAsync(LocalCluster cluster)
    {
        var service = await ServiceTests.DescribeAsync(cluster, "web");
        return new ServiceState(service.DesiredCount, service.RunningCount);
    }

    /// <summary>Polls the service once a second until <paramref name="condition"/> holds; returns when it was seen.</summary>
    private static async Task<DateTimeOffset> WaitAsync(LocalCluster cluster, string what, TimeSpan timeout, Func<ServiceState, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        ServiceState? last = null;
        while (clock.Elapsed < timeout)
        {
            last = await StateAsync(cluster);
            if (condition(last))
            {
                return DateTimeOffset.UtcNow;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }

        throw new Xunit.Sdk.XunitException($"not reached within {timeout.TotalSeconds:0} s: {what}; last {last}\n{cluster.Diagnostics()}");
    }
}
