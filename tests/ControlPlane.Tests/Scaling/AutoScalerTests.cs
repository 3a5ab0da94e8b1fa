using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts.Agent;
using Orchestrator.ControlPlane.Scaling;
using Orchestrator.ControlPlane.Tasks;
using Orchestrator.Ecs;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.ControlPlane.Tests.Scaling;

/// <summary>
/// The auto scaler on a fake clock over a real state database and the real service scheduler: agents' reported usage
/// drives the desired count through UpdateService, each decision lands in the activities and the service's events
/// with the metric, scheduled actions move min/max, protected tasks survive scale-in, and everything survives a restart.
/// </summary>
public sealed class AutoScalerTests : IDisposable
{
    private TestCluster _cluster = new();

    public void Dispose() => _cluster.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private const string Resource = "service/default/web";

    private AutoScalingActions Actions => new(_cluster.Store, _cluster.Arns, _cluster.Clock);

    private static readonly AutoScalingOptions Options = new() { Interval = TimeSpan.FromSeconds(10), MetricWindow = TimeSpan.FromSeconds(30), ScaleInPeriod = TimeSpan.FromMinutes(1) };

    private AutoScaler Scaler(TaskUsageWindow window) =>
        new(_cluster.Store, _cluster.Api.Services, window, _cluster.Arns, Microsoft.Extensions.Options.Options.Create(Options), _cluster.Clock, NullLogger<AutoScaler>.Instance);

    private async Task<string> ServiceAsync(int desired = 1)
    {
        await _cluster.AddInstanceAsync(cpu: 8192, memory: 8192);
        await _cluster.RegisterAsync(cpu: 128, memory: 64);
        var service = (await _cluster.Api.Services.CreateServiceAsync(new CreateServiceRequest { ServiceName = "web", TaskDefinition = "web", DesiredCount = desired }, Token)).Service;
        await SettleAsync(service.ServiceArn!);
        return service.ServiceArn!;
    }

    private async Task SettleAsync(string serviceArn)
    {
        for (var pass = 0; pass < 20; pass++)
        {
            var version = _cluster.Store.Current.Version;
            await _cluster.Scheduler.ReconcileAsync(serviceArn, Token);
            await _cluster.CompleteStopsAsync();
            await _cluster.ReportAllAsync(Status.Running, t => t.Task.LastStatus == TaskStatus.Pending && t.Task.DesiredStatus == TaskStatus.Running);
            if (_cluster.Store.Current.Version == version)
            {
                return;
            }
        }
    }

    private List<Orchestrator.ControlPlane.State.TaskRecord> Running => [.. _cluster.Store.Current.Tasks.Values.Where(t => t.Task.LastStatus == TaskStatus.Running)];

    /// <summary>Every running task reports <paramref name="cpuPercent"/> of one CPU for <paramref name="seconds"/>, a sample every 2 s, the scaler looking every 10 s.</summary>
    private async Task LoadAsync(TaskUsageWindow window, AutoScaler scaler, string serviceArn, double cpuPercent, int seconds)
    {
        for (var t = 0; t < seconds; t += 2)
        {
            window.Record(Running.Select(task => (task.Arn, cpuPercent, 16L << 20)));
            _cluster.Clock.Advance(TimeSpan.FromSeconds(2));
            if (t % 10 == 8)
            {
                await scaler.RunOnceAsync(Token);
                await SettleAsync(serviceArn);
            }
        }
    }

    private int Desired(string serviceArn) => _cluster.Store.Current.Service(serviceArn)!.DesiredCount;

    private async Task TargetAsync(int min, int max)
    {
        await Actions.InvokeAsync("RegisterScalableTarget", $$"""{"ServiceNamespace":"ecs","ResourceId":"{{Resource}}","ScalableDimension":"ecs:service:DesiredCount","MinCapacity":{{min}},"MaxCapacity":{{max}}}""", Token);
    }

    private Task CpuPolicyAsync(int outCooldown = 30, int inCooldown = 30) =>
        Actions.InvokeAsync("PutScalingPolicy", $$$"""
            {"PolicyName":"cpu50","ServiceNamespace":"ecs","ResourceId":"{{{Resource}}}","ScalableDimension":"ecs:service:DesiredCount",
             "PolicyType":"TargetTrackingScaling","TargetTrackingScalingPolicyConfiguration":{"TargetValue":50,
             "PredefinedMetricSpecification":{"PredefinedMetricType":"ECSServiceAverageCPUUtilization"},"ScaleOutCooldown":{{{outCooldown}}},"ScaleInCooldown":{{{inCooldown}}}}}
            """, Token);

    [Fact]
    public async Task CpuLoad_ScalesOutToMax_ThenBackInToMin_WithTheMetricInEventsAndActivities()
    {
        var arn = await ServiceAsync();
        await TargetAsync(1, 3);
        await CpuPolicyAsync();
        var window = new TaskUsageWindow(_cluster.Clock);
        var scaler = Scaler(window);

        // 128 CPU units reserved, 25 % of one CPU used = 256 units: 200 % utilisation.
        await LoadAsync(window, scaler, arn, 25, 10);
        Assert.Equal(3, Desired(arn)); // ceil(1 × 200 / 50) = 4, at most 3
        Assert.Equal(3, Running.Count);

        await LoadAsync(window, scaler, arn, 25, 60);
        Assert.Equal(3, Desired(arn)); // max respected

        // Idle: below 45 % for the scale-in period (1 min), then down to min.
        await LoadAsync(window, scaler, arn, 1, 50);
        Assert.Equal(3, Desired(arn));
        await LoadAsync(window, scaler, arn, 1, 60);
        Assert.Equal(1, Desired(arn));
        Assert.Single(Running);

        var activities = JsonDocument.Parse(await Actions.InvokeAsync("DescribeScalingActivities", """{"ServiceNamespace":"ecs","ResourceId":"service/default/web"}""", Token))
            .RootElement.GetProperty("ScalingActivities").EnumerateArray().ToList();
        Assert.Equal(2, activities.Count);
        Assert.Equal("Setting desired count to 1.", activities[0].GetProperty("Description").GetString());
        Assert.Contains("ECSServiceAverageCPUUtilization", activities[0].GetProperty("Cause").GetString(), StringComparison.Ordinal);
        Assert.Equal("Setting desired count to 3.", activities[1].GetProperty("Description").GetString());
        Assert.Contains("ECSServiceAverageCPUUtilization 200.0 > target 50.0", activities[1].GetProperty("Cause").GetString(), StringComparison.Ordinal);
        Assert.Equal("Successful", activities[1].GetProperty("StatusCode").GetString());

        var events = _cluster.Store.Current.Service(arn)!.Events.Select(e => e.Message).ToList();
        Assert.Contains(events, m => m.Contains("Successfully set desired count to 3.", StringComparison.Ordinal) && m.Contains("ECSServiceAverageCPUUtilization 200.0 > target 50.0", StringComparison.Ordinal));
        Assert.Contains(events, m => m.Contains("Desired count 3 -> 1", StringComparison.Ordinal) && m.Contains("< target 50.0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScaleIn_LeavesProtectedTasksRunning()
    {
        var arn = await ServiceAsync(desired: 3);
        await TargetAsync(1, 3);
        await CpuPolicyAsync(inCooldown: 0);
        var protectedTask = Running[0].Arn;
        await _cluster.Api.Tasks.UpdateTaskProtectionAsync(new UpdateTaskProtectionRequest { Tasks = [protectedTask], ProtectionEnabled = true, ExpiresInMinutes = 60 }, Token);
        var window = new TaskUsageWindow(_cluster.Clock);
        var scaler = Scaler(window);

        await LoadAsync(window, scaler, arn, 0, 80);

        Assert.Equal(1, Desired(arn));
        Assert.Equal([protectedTask], Running.Select(t => t.Arn));
    }

    [Fact]
    public async Task ScheduledAction_AtItsTime_RaisesMinAndTheDesiredCountFollows_AndItAllSurvivesARestart()
    {
        var arn = await ServiceAsync();
        await TargetAsync(1, 3);
        var at = _cluster.Clock.GetUtcNow().AddMinutes(2).ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        await Actions.InvokeAsync("PutScheduledAction", $$$"""
            {"ServiceNamespace":"ecs","ResourceId":"{{{Resource}}}","ScalableDimension":"ecs:service:DesiredCount","ScheduledActionName":"morning",
             "Schedule":"at({{{at}}})","ScalableTargetAction":{"MinCapacity":2,"MaxCapacity":5}}
            """, Token);
        var window = new TaskUsageWindow(_cluster.Clock);

        _cluster.Clock.Advance(TimeSpan.FromSeconds(119));
        await Scaler(window).RunOnceAsync(Token);
        Assert.Equal(1, Desired(arn));

        _cluster = _cluster.Restart(); // the action is stored, not held in memory
        _cluster.Clock.Advance(TimeSpan.FromSeconds(121));
        window = new TaskUsageWindow(_cluster.Clock);
        await Scaler(window).RunOnceAsync(Token);

        Assert.Equal(2, Desired(arn));
        var target = JsonDocument.Parse(await Actions.InvokeAsync("DescribeScalableTargets", """{"ServiceNamespace":"ecs"}""", Token)).RootElement.GetProperty("ScalableTargets")[0];
        Assert.Equal((2, 5), (target.GetProperty("MinCapacity").GetInt32(), target.GetProperty("MaxCapacity").GetInt32()));
        var activities = _cluster.Store.Current.ScalableTargets[Resource].Activities;
        Assert.Equal("Setting desired count to 2.", activities[0].Description);
        Assert.Contains("below the scalable target's minimum capacity 2", activities[0].Cause, StringComparison.Ordinal);
        Assert.Equal("Setting min capacity to 2 and max capacity to 5", activities[1].Description);
        Assert.Contains("scheduled action name morning was triggered", activities[1].Cause, StringComparison.Ordinal);

        // Fired once: later passes change nothing more.
        _cluster.Clock.Advance(TimeSpan.FromMinutes(10));
        await Scaler(window).RunOnceAsync(Token);
        Assert.Equal(2, _cluster.Store.Current.ScalableTargets[Resource].Activities.Count);
    }

    [Fact]
    public async Task CronScheduledAction_LowersMax_EachDay()
    {
        var arn = await ServiceAsync(desired: 3);
        await TargetAsync(1, 5);
        await Actions.InvokeAsync("PutScheduledAction", $$$"""
            {"ServiceNamespace":"ecs","ResourceId":"{{{Resource}}}","ScalableDimension":"ecs:service:DesiredCount","ScheduledActionName":"night",
             "Schedule":"cron(0 20 * * ? *)","ScalableTargetAction":{"MaxCapacity":1}}
            """, Token);
        var window = new TaskUsageWindow(_cluster.Clock);
        var scaler = Scaler(window);

        _cluster.Clock.Advance(TimeSpan.FromHours(8)); // 12:00 → 20:00
        await scaler.RunOnceAsync(Token);

        Assert.Equal(1, Desired(arn));
        Assert.Equal((1, 1), (_cluster.Store.Current.ScalableTargets[Resource].MinCapacity, _cluster.Store.Current.ScalableTargets[Resource].MaxCapacity));
    }

    [Fact]
    public async Task Policies_AndTargets_SurviveARestart_AndDeregisterRemovesThem()
    {
        await ServiceAsync();
        await TargetAsync(1, 4);
        await CpuPolicyAsync();

        _cluster = _cluster.Restart();

        var policies = JsonDocument.Parse(await Actions.InvokeAsync("DescribeScalingPolicies", """{"ServiceNamespace":"ecs","ResourceId":"service/default/web"}""", Token)).RootElement.GetProperty("ScalingPolicies");
        var policy = Assert.Single(policies.EnumerateArray().ToList());
        Assert.Equal("cpu50", policy.GetProperty("PolicyName").GetString());
        Assert.Equal(50, policy.GetProperty("TargetTrackingScalingPolicyConfiguration").GetProperty("TargetValue").GetDouble());
        Assert.StartsWith("arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:", policy.GetProperty("PolicyARN").GetString(), StringComparison.Ordinal);

        await Actions.InvokeAsync("DeregisterScalableTarget", """{"ServiceNamespace":"ecs","ResourceId":"service/default/web","ScalableDimension":"ecs:service:DesiredCount"}""", Token);
        _cluster = _cluster.Restart();
        Assert.Empty(_cluster.Store.Current.ScalableTargets);
    }
}
