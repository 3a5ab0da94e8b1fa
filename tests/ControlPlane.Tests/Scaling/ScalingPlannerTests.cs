using System.Text.Json;
using Orchestrator.ControlPlane.Scaling;
using Orchestrator.ControlPlane.Schedules;
using Orchestrator.ControlPlane.State;

namespace Orchestrator.ControlPlane.Tests.Scaling;

/// <summary>The scaling arithmetic, pure: target tracking, cooldowns, scale-in's wait, disableScaleIn, step scaling, bounds.</summary>
public sealed class ScalingPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan ScaleInPeriod = TimeSpan.FromMinutes(5);

    private static ScalingPolicyRecord Tracking(string name = "cpu", double target = 50, string metric = AutoScalingActions.CpuMetric,
        int outCooldown = 60, int inCooldown = 120, bool disableScaleIn = false, DateTimeOffset? lastOut = null, DateTimeOffset? lastIn = null) =>
        new(name, JsonSerializer.SerializeToElement(new ScalingPolicyOutput
        {
            PolicyName = name,
            PolicyType = "TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration = new TargetTrackingConfiguration
            {
                TargetValue = target,
                PredefinedMetricSpecification = new PredefinedMetric { PredefinedMetricType = metric },
                ScaleOutCooldown = outCooldown,
                ScaleInCooldown = inCooldown,
                DisableScaleIn = disableScaleIn,
            },
        }, SchedulerJson.Options))
        { LastScaleOutAt = lastOut, LastScaleInAt = lastIn };

    private static ScalingPolicyRecord Step(string adjustmentType, int cooldown = 60, int? minMagnitude = null, string aggregation = "Average", params StepAdjustment[] steps) =>
        new("step", JsonSerializer.SerializeToElement(new ScalingPolicyOutput
        {
            PolicyName = "step",
            PolicyType = "StepScaling",
            StepScalingPolicyConfiguration = new StepScalingConfiguration
            {
                AdjustmentType = adjustmentType,
                Cooldown = cooldown,
                MinAdjustmentMagnitude = minMagnitude,
                MetricAggregationType = aggregation,
                StepAdjustments = [.. steps],
            },
        }, SchedulerJson.Options));

    private static ScalableTargetRecord Target(int min, int max, params ScalingPolicyRecord[] policies) => new()
    {
        ResourceId = "service/default/web",
        ClusterName = "default",
        ServiceName = "web",
        Arn = "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/x",
        MinCapacity = min,
        MaxCapacity = max,
        Policies = policies,
    };

    private static ServiceUtilization Cpu(double cpu, double? memory = null) => new(cpu, memory, 1, [cpu], memory is { } m ? [m] : []);

    [Theory]
    [InlineData(1, 87.2, 50, 2)]
    [InlineData(2, 100, 50, 4)]
    [InlineData(3, 51, 50, 4)]
    [InlineData(4, 75, 50, 6)]
    [InlineData(2, 60, 50, 3)]
    public void TargetTracking_AboveTarget_CeilOfCurrentTimesMetricOverTarget(int current, double metric, double target, int expected)
    {
        var decision = ScalingPlanner.Plan(Target(1, 10, Tracking(target: target)), current, Cpu(metric), Now, new Dictionary<string, DateTimeOffset>(), ScaleInPeriod);

        Assert.NotNull(decision);
        Assert.Equal(expected, decision.Desired);
        Assert.True(decision.ScalesOut);
        Assert.Equal("cpu", decision.PolicyName);
        Assert.Contains($"ECSServiceAverageCPUUtilization {ScalingPlanner.Format(metric)} > target {ScalingPlanner.Format(target)}", decision.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public void TargetTracking_FarAboveTarget_StopsAtMax()
    {
        var decision = ScalingPlanner.Plan(Target(1, 3, Tracking()), 1, Cpu(800), Now, new Dictionary<string, DateTimeOffset>(), ScaleInPeriod);
        Assert.Equal(3, decision!.Desired);

        // At max nothing more happens, however high the metric.
        Assert.Null(ScalingPlanner.Plan(Target(1, 3, Tracking()), 3, Cpu(800), Now, new Dictionary<string, DateTimeOffset>(), ScaleInPeriod));
    }

    [Fact]
    public void TargetTracking_WithinScaleOutCooldown_WaitsThenScales()
    {
        var policy = Tracking(outCooldown: 60, lastOut: Now.AddSeconds(-59));
        Assert.Null(ScalingPlanner.Plan(Target(1, 10, policy), 2, Cpu(100), Now, new Dictionary<string, DateTimeOffset>(), ScaleInPeriod));

        var later = ScalingPlanner.Plan(Target(1, 10, policy), 2, Cpu(100), Now.AddSeconds(1), new Dictionary<string, DateTimeOffset>(), ScaleInPeriod);
        Assert.Equal(4, later!.Desired);
    }

    [Fact]
    public void TargetTracking_BelowTarget_ScalesInOnlyAfterTheMetricStayedLowForThePeriod()
    {
        var target = Target(1, 10, Tracking(inCooldown: 0));
        var low = new Dictionary<string, DateTimeOffset>();

        Assert.Null(ScalingPlanner.Plan(target, 4, Cpu(10), Now, low, ScaleInPeriod));
        Assert.Equal(Now, low["cpu"]);
        Assert.Null(ScalingPlanner.Plan(target, 4, Cpu(10), Now.AddMinutes(4), low, ScaleInPeriod));

        var decision = ScalingPlanner.Plan(target, 4, Cpu(10), Now.AddMinutes(5), low, ScaleInPeriod);
        Assert.Equal(1, decision!.Desired); // ceil(4 × 10 / 50) = 1
        Assert.False(decision.ScalesOut);
        Assert.Contains("ECSServiceAverageCPUUtilization 10.0 < target 50.0", decision.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public void TargetTracking_MetricBackAboveNinetyPercent_RestartsTheWait()
    {
        var target = Target(1, 10, Tracking(inCooldown: 0));
        var low = new Dictionary<string, DateTimeOffset>();
        Assert.Null(ScalingPlanner.Plan(target, 4, Cpu(10), Now, low, ScaleInPeriod));
        Assert.Null(ScalingPlanner.Plan(target, 4, Cpu(46), Now.AddMinutes(3), low, ScaleInPeriod)); // 46 ≥ 45: not low
        Assert.Empty(low);
        Assert.Null(ScalingPlanner.Plan(target, 4, Cpu(10), Now.AddMinutes(4), low, ScaleInPeriod));
        Assert.Null(ScalingPlanner.Plan(target, 4, Cpu(10), Now.AddMinutes(8), low, ScaleInPeriod));
        Assert.NotNull(ScalingPlanner.Plan(target, 4, Cpu(10), Now.AddMinutes(9), low, ScaleInPeriod));
    }

    [Fact]
    public void TargetTracking_ScaleInCooldown_CountsFromTheLastScalingEitherWay()
    {
        var low = new Dictionary<string, DateTimeOffset> { ["cpu"] = Now.AddHours(-1) };
        var recent = Target(1, 10, Tracking(inCooldown: 300, lastOut: Now.AddSeconds(-299)));
        Assert.Null(ScalingPlanner.Plan(recent, 4, Cpu(10), Now, low, ScaleInPeriod));

        var old = Target(1, 10, Tracking(inCooldown: 300, lastOut: Now.AddSeconds(-300)));
        Assert.Equal(1, ScalingPlanner.Plan(old, 4, Cpu(10), Now, low, ScaleInPeriod)!.Desired);
    }

    [Fact]
    public void TargetTracking_DisableScaleIn_NeverScalesIn_ButStillScalesOut()
    {
        var target = Target(1, 10, Tracking(disableScaleIn: true, inCooldown: 0));
        var low = new Dictionary<string, DateTimeOffset> { ["cpu"] = Now.AddHours(-1) };

        Assert.Null(ScalingPlanner.Plan(target, 4, Cpu(0), Now, low, ScaleInPeriod));
        Assert.Equal(8, ScalingPlanner.Plan(target, 4, Cpu(100), Now, low, ScaleInPeriod)!.Desired);
    }

    [Fact]
    public void TargetTracking_NeverBelowMin_AndNoMeasurementMeansNoChange()
    {
        var low = new Dictionary<string, DateTimeOffset> { ["cpu"] = Now.AddHours(-1) };
        Assert.Equal(2, ScalingPlanner.Plan(Target(2, 10, Tracking(inCooldown: 0)), 5, Cpu(0), Now, low, ScaleInPeriod)!.Desired);
        Assert.Null(ScalingPlanner.Plan(Target(2, 10, Tracking(inCooldown: 0)), 5, ServiceUtilization.None, Now, low, ScaleInPeriod));
    }

    [Fact]
    public void TwoPolicies_ScaleOutWins_ScaleInNeedsBothLow()
    {
        var cpu = Tracking("cpu", target: 50, inCooldown: 0);
        var memory = Tracking("memory", target: 50, metric: AutoScalingActions.MemoryMetric, inCooldown: 0);
        var target = Target(1, 10, cpu, memory);
        var low = new Dictionary<string, DateTimeOffset> { ["cpu"] = Now.AddHours(-1), ["memory"] = Now.AddHours(-1) };

        var outward = ScalingPlanner.Plan(target, 2, Cpu(10, memory: 100), Now, low, ScaleInPeriod);
        Assert.Equal(("memory", 4), (outward!.PolicyName, outward.Desired));
        Assert.Contains("ECSServiceAverageMemoryUtilization 100.0 > target 50.0", outward.Cause, StringComparison.Ordinal);

        low = new Dictionary<string, DateTimeOffset> { ["cpu"] = Now.AddHours(-1), ["memory"] = Now.AddHours(-1) };
        Assert.Null(ScalingPlanner.Plan(target, 4, Cpu(10, memory: 48), Now, low, ScaleInPeriod)); // memory within 90 %..100 %: keep
        var inward = ScalingPlanner.Plan(target, 4, Cpu(10, memory: 20), Now, new Dictionary<string, DateTimeOffset> { ["cpu"] = Now.AddHours(-1), ["memory"] = Now.AddHours(-1) }, ScaleInPeriod);
        Assert.Equal(2, inward!.Desired); // the larger of ceil(4×10/50)=1 and ceil(4×20/50)=2
    }

    [Theory]
    [InlineData(85, 5)]   // [80, +inf) +3
    [InlineData(70, 3)]   // [60, 80) +1
    [InlineData(40, null)] // [20, 60) 0: nothing
    [InlineData(10, 1)]   // (-inf, 20) -1
    public void Step_ChangeInCapacity_ThePolicyStepHoldingTheMetric(double metric, int? expected)
    {
        var step = Step("ChangeInCapacity", 60, null, "Average",
            new StepAdjustment { MetricIntervalUpperBound = 20, ScalingAdjustment = -1 },
            new StepAdjustment { MetricIntervalLowerBound = 20, MetricIntervalUpperBound = 60, ScalingAdjustment = 0 },
            new StepAdjustment { MetricIntervalLowerBound = 60, MetricIntervalUpperBound = 80, ScalingAdjustment = 1 },
            new StepAdjustment { MetricIntervalLowerBound = 80, ScalingAdjustment = 3 });

        var decision = ScalingPlanner.Plan(Target(1, 10, step), 2, Cpu(metric), Now, new Dictionary<string, DateTimeOffset>(), ScaleInPeriod);

        Assert.Equal(expected, decision?.Desired);
        if (decision is not null)
        {
            Assert.Contains($"ECSServiceAverageCPUUtilization {ScalingPlanner.Format(metric)} (Average)", decision.Cause, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("PercentChangeInCapacity", 50, null, 4, 6)]
    [InlineData("PercentChangeInCapacity", 10, null, 4, 5)]   // 0.4 rounds to 1
    [InlineData("PercentChangeInCapacity", 10, 2, 4, 6)]      // at least MinAdjustmentMagnitude
    [InlineData("PercentChangeInCapacity", 60, null, 3, 4)]   // 1.8 toward zero: 1
    [InlineData("PercentChangeInCapacity", -50, null, 4, 2)]
    [InlineData("ExactCapacity", 7, null, 2, 7)]
    [InlineData("ExactCapacity", 50, null, 2, 10)]           // bounded by max
    public void Step_OtherAdjustmentTypes(string type, int adjustment, int? minMagnitude, int current, int expected)
    {
        var step = Step(type, 60, minMagnitude, "Average", new StepAdjustment { MetricIntervalLowerBound = 0, ScalingAdjustment = adjustment });

        Assert.Equal(expected, ScalingPlanner.Plan(Target(1, 10, step), current, Cpu(90), Now, new Dictionary<string, DateTimeOffset>(), ScaleInPeriod)!.Desired);
    }

    [Fact]
    public void Step_Cooldown_AndMaximumAggregation()
    {
        var steps = new StepAdjustment { MetricIntervalLowerBound = 70, ScalingAdjustment = 1 };
        var cooling = Step("ChangeInCapacity", 120, null, "Maximum", steps) with { LastScaleOutAt = Now.AddSeconds(-60) };
        var busiest = new ServiceUtilization(50, null, 2, [20, 80], []);
        Assert.Null(ScalingPlanner.Plan(Target(1, 10, cooling), 2, busiest, Now, new Dictionary<string, DateTimeOffset>(), ScaleInPeriod));

        var decision = ScalingPlanner.Plan(Target(1, 10, cooling), 2, busiest, Now.AddSeconds(60), new Dictionary<string, DateTimeOffset>(), ScaleInPeriod);
        Assert.Equal(3, decision!.Desired); // the busiest task's 80 is in the step; the average 50 would not be
        Assert.Contains("80.0 (Maximum)", decision.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public void OutsideBounds_BroughtBackAtOnce()
    {
        Assert.Equal(2, ScalingPlanner.Plan(Target(2, 5), 1, ServiceUtilization.None, Now, new Dictionary<string, DateTimeOffset>(), ScaleInPeriod)!.Desired);
        var down = ScalingPlanner.Plan(Target(2, 5), 9, ServiceUtilization.None, Now, new Dictionary<string, DateTimeOffset>(), ScaleInPeriod);
        Assert.Equal(5, down!.Desired);
        Assert.Contains("above the scalable target's maximum capacity 5", down.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public void Suspended_DynamicScalingOut_DoesNotScaleOut()
    {
        var target = Target(1, 10, Tracking()) with { DynamicScalingOutSuspended = true };
        Assert.Null(ScalingPlanner.Plan(target, 1, Cpu(100), Now, new Dictionary<string, DateTimeOffset>(), ScaleInPeriod));
    }
}
