using Orchestrator.Cli.Tests.Fakes;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>orch service autoscale …</c> against a fake cluster API: the Application Auto Scaling documents it sends, and what it prints.</summary>
public sealed class AutoScaleCommandsTests
{
    [Fact]
    public async Task Set_RegistersTheTarget_AndPutsCpuAndMemoryTargetTracking()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("RegisterScalableTarget", """{"ScalableTargetARN": "arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/abc"}""");
        server.Api.On("PutScalingPolicy", call => $$"""{"PolicyARN": "arn:policy/{{(string?)call.Request["PolicyName"]}}", "Alarms": []}""");

        var result = await CliHarness.RunAsync(server, "service", "autoscale", "set", "--cluster", "prod", "--service", "web", "--min", "1", "--max", "5",
            "--cpu-target", "50", "--memory-target", "70.5", "--scale-in-cooldown", "600", "--disable-scale-in");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/abc", "arn:policy/cpu-target-tracking", "arn:policy/memory-target-tracking"],
            result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var target = Assert.Single(server.Api.CallsTo("RegisterScalableTarget")).Request;
        Assert.Equal(("ecs", "service/prod/web", "ecs:service:DesiredCount"), ((string?)target["ServiceNamespace"], (string?)target["ResourceId"], (string?)target["ScalableDimension"]));
        Assert.Equal((1, 5), ((int)target["MinCapacity"]!, (int)target["MaxCapacity"]!));
        var policies = server.Api.CallsTo("PutScalingPolicy").Select(c => c.Request).ToList();
        Assert.Equal(2, policies.Count);
        var cpu = policies[0]["TargetTrackingScalingPolicyConfiguration"]!;
        Assert.Equal("TargetTrackingScaling", (string?)policies[0]["PolicyType"]);
        Assert.Equal(50, (double)cpu["TargetValue"]!);
        Assert.Equal("ECSServiceAverageCPUUtilization", (string?)cpu["PredefinedMetricSpecification"]!["PredefinedMetricType"]);
        Assert.Equal(600, (int)cpu["ScaleInCooldown"]!);
        Assert.Null(cpu["ScaleOutCooldown"]);
        Assert.True((bool)cpu["DisableScaleIn"]!);
        Assert.Equal("ECSServiceAverageMemoryUtilization", (string?)policies[1]["TargetTrackingScalingPolicyConfiguration"]!["PredefinedMetricSpecification"]!["PredefinedMetricType"]);
        Assert.Equal(70.5, (double)policies[1]["TargetTrackingScalingPolicyConfiguration"]!["TargetValue"]!);
    }

    [Fact]
    public async Task Activities_PrintsWhatChangedAndWhy_NewestFirst()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("DescribeScalingActivities", """
            {"ScalingActivities": [
              {"ActivityId": "2", "ServiceNamespace": "ecs", "ResourceId": "service/default/web", "ScalableDimension": "ecs:service:DesiredCount",
               "Description": "Setting desired count to 1.", "Cause": "policy cpu50 (TargetTrackingScaling) triggered: ECSServiceAverageCPUUtilization 0.0 < target 50.0",
               "StartTime": 1796594760, "StatusCode": "Successful"},
              {"ActivityId": "1", "ServiceNamespace": "ecs", "ResourceId": "service/default/web", "ScalableDimension": "ecs:service:DesiredCount",
               "Description": "Setting desired count to 3.", "Cause": "policy cpu50 (TargetTrackingScaling) triggered: ECSServiceAverageCPUUtilization 197.6 > target 50.0",
               "StartTime": 1796594700, "StatusCode": "Successful"}]}
            """);

        var result = await CliHarness.RunAsync(server, "service", "autoscale", "activities", "--service", "web");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^TIME\s+STATUS\s+DESCRIPTION\s+CAUSE$", lines[0]);
        Assert.Contains("Setting desired count to 1.", lines[1], StringComparison.Ordinal);
        Assert.Contains("ECSServiceAverageCPUUtilization 197.6 > target 50.0", lines[2], StringComparison.Ordinal);
        Assert.Equal("service/default/web", (string?)Assert.Single(server.Api.CallsTo("DescribeScalingActivities")).Request["ResourceId"]);
    }

    [Fact]
    public async Task ScheduleAndRemove_SendTheirDocuments()
    {
        await using var server = await FakeClusterApiServer.StartAsync(TestContext.Current.CancellationToken);
        server.Api.On("PutScheduledAction", "{}");
        server.Api.On("DeregisterScalableTarget", "{}");

        var scheduled = await CliHarness.RunAsync(server, "service", "autoscale", "schedule", "mornings", "--service", "web", "--schedule", "cron(0 8 ? * MON-FRI *)", "--min", "3", "--timezone", "Europe/Paris");
        var removed = await CliHarness.RunAsync(server, "service", "autoscale", "remove", "--service", "web", "--cluster", "arn:aws:ecs:us-east-1:000000000000:cluster/prod");

        Assert.Equal((0, 0), (scheduled.ExitCode, removed.ExitCode));
        var action = Assert.Single(server.Api.CallsTo("PutScheduledAction")).Request;
        Assert.Equal(("mornings", "cron(0 8 ? * MON-FRI *)", "Europe/Paris"), ((string?)action["ScheduledActionName"], (string?)action["Schedule"], (string?)action["Timezone"]));
        Assert.Equal(3, (int)action["ScalableTargetAction"]!["MinCapacity"]!);
        Assert.Null(action["ScalableTargetAction"]!["MaxCapacity"]);
        Assert.Equal("service/prod/web", (string?)Assert.Single(server.Api.CallsTo("DeregisterScalableTarget")).Request["ResourceId"]);
    }
}
