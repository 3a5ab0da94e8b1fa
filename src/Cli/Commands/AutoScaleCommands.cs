using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Output;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orch service autoscale set|show|activities|schedule|remove</c>: service auto scaling over Application Auto
/// Scaling's operations (the ones <c>aws application-autoscaling</c> calls on the HTTP port): the scalable target
/// (min, max), target tracking on the service's average CPU or memory utilisation, scheduled min/max changes, and the
/// scaling activities.
/// </summary>
internal static class AutoScaleCommands
{
    private const string Dimension = "ecs:service:DesiredCount";
    public const string CpuPolicy = "cpu-target-tracking";
    public const string MemoryPolicy = "memory-target-tracking";

    public static Command Create(CommandRunner runner)
    {
        var command = new Command("autoscale", "Scale a service with its load: min/max, CPU or memory target tracking, scheduled changes (Application Auto Scaling)");
        command.Subcommands.Add(SetCommand(runner));
        command.Subcommands.Add(ShowCommand(runner));
        command.Subcommands.Add(ActivitiesCommand(runner));
        command.Subcommands.Add(ScheduleCommand(runner));
        command.Subcommands.Add(RemoveCommand(runner));
        return command;
    }

    private static Option<string> ServiceOption() => new("--service", "-s") { Description = "The service's name", Required = true };

    private static JsonObject Key(string cluster, string service) => new()
    {
        ["ServiceNamespace"] = "ecs",
        ["ResourceId"] = $"service/{Name(cluster)}/{service}",
        ["ScalableDimension"] = Dimension,
    };

    /// <summary>A cluster named by ARN counts by its name, as in the resource ID.</summary>
    private static string Name(string cluster) => cluster.Contains(":cluster/", StringComparison.Ordinal) ? cluster[(cluster.LastIndexOf('/') + 1)..] : cluster;

    private static Command SetCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var service = ServiceOption();
        var min = new Option<int?>("--min") { Description = "The fewest tasks (MinCapacity); required the first time" };
        var max = new Option<int?>("--max") { Description = "The most tasks (MaxCapacity); required the first time" };
        var cpu = new Option<double?>("--cpu-target") { Description = "Keep the service's average CPU utilisation near this percent of what its tasks reserve", HelpName = "percent" };
        var memory = new Option<double?>("--memory-target") { Description = "The same for memory", HelpName = "percent" };
        var outCooldown = new Option<int?>("--scale-out-cooldown") { Description = "Seconds after a scale-out before the next one [default: 300]", HelpName = "seconds" };
        var inCooldown = new Option<int?>("--scale-in-cooldown") { Description = "Seconds after a scaling before a scale-in [default: 300]", HelpName = "seconds" };
        var disableScaleIn = new Option<bool>("--disable-scale-in") { Description = "The policies only ever add tasks" };
        var command = new Command("set", "Register the service's scalable target and its target tracking policies (RegisterScalableTarget, PutScalingPolicy)")
        {
            cluster, service, min, max, cpu, memory, outCooldown, inCooldown, disableScaleIn,
        };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var key = Key(invocation.Get(cluster), invocation.Get(service));
            var target = key.DeepClone().AsObject();
            if (invocation.GetOptional(min) is { } low)
            {
                target["MinCapacity"] = low;
            }

            if (invocation.GetOptional(max) is { } high)
            {
                target["MaxCapacity"] = high;
            }

            var registered = await invocation.Client.CallJsonAsync<JsonElement>("RegisterScalableTarget", target.ToJsonString(), cancellationToken);
            var policies = new JsonArray();
            foreach (var (value, name, metric) in new[] { (invocation.GetOptional(cpu), CpuPolicy, "ECSServiceAverageCPUUtilization"), (invocation.GetOptional(memory), MemoryPolicy, "ECSServiceAverageMemoryUtilization") })
            {
                if (value is not { } goal)
                {
                    continue;
                }

                var configuration = new JsonObject
                {
                    ["TargetValue"] = goal,
                    ["PredefinedMetricSpecification"] = new JsonObject { ["PredefinedMetricType"] = metric },
                    ["DisableScaleIn"] = invocation.GetOptional(disableScaleIn),
                };
                if (invocation.GetOptional(outCooldown) is { } o)
                {
                    configuration["ScaleOutCooldown"] = o;
                }

                if (invocation.GetOptional(inCooldown) is { } i)
                {
                    configuration["ScaleInCooldown"] = i;
                }

                var policy = key.DeepClone().AsObject();
                policy["PolicyName"] = name;
                policy["PolicyType"] = "TargetTrackingScaling";
                policy["TargetTrackingScalingPolicyConfiguration"] = configuration;
                var put = await invocation.Client.CallJsonAsync<JsonElement>("PutScalingPolicy", policy.ToJsonString(), cancellationToken);
                policies.Add((JsonNode?)put.GetProperty("PolicyARN").GetString());
            }

            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(new JsonObject { ["ScalableTargetARN"] = registered.GetProperty("ScalableTargetARN").GetString(), ["PolicyARNs"] = policies });
            }
            else
            {
                invocation.Output.Line(registered.GetProperty("ScalableTargetARN").GetString() ?? "");
                foreach (var arn in policies)
                {
                    invocation.Output.Line(arn!.GetValue<string>());
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ShowCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var service = ServiceOption();
        var command = new Command("show", "Show the service's scalable target, policies and scheduled actions") { cluster, service };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var key = Key(invocation.Get(cluster), invocation.Get(service));
            var resource = key["ResourceId"]!.GetValue<string>();
            var targets = await invocation.Client.CallJsonAsync<JsonElement>("DescribeScalableTargets",
                new JsonObject { ["ServiceNamespace"] = "ecs", ["ResourceIds"] = new JsonArray(resource) }.ToJsonString(), cancellationToken);
            var list = targets.GetProperty("ScalableTargets").EnumerateArray().ToList();
            if (list.Count == 0)
            {
                throw new CliException(ExitCodes.Failure, $"{resource} has no scalable target: orch service autoscale set --service {invocation.Get(service)} --min N --max N ...");
            }

            var filter = new JsonObject { ["ServiceNamespace"] = "ecs", ["ResourceId"] = resource }.ToJsonString();
            var policies = await invocation.Client.CallJsonAsync<JsonElement>("DescribeScalingPolicies", filter, cancellationToken);
            var actions = await invocation.Client.CallJsonAsync<JsonElement>("DescribeScheduledActions", filter, cancellationToken);
            if (invocation.Output.IsJson)
            {
                var document = new JsonObject
                {
                    ["ScalableTarget"] = JsonNode.Parse(list[0].GetRawText()),
                    ["ScalingPolicies"] = JsonNode.Parse(policies.GetProperty("ScalingPolicies").GetRawText()),
                    ["ScheduledActions"] = JsonNode.Parse(actions.GetProperty("ScheduledActions").GetRawText()),
                };
                EpochTimes.ToIso(document, TimeMembers);
                invocation.Output.Json(document);
                return ExitCodes.Success;
            }

            var target = list[0];
            invocation.Output.Write(Tables.Details(
            [
                ("Resource", resource),
                ("Min", target.GetProperty("MinCapacity").GetInt32().ToString(CultureInfo.InvariantCulture)),
                ("Max", target.GetProperty("MaxCapacity").GetInt32().ToString(CultureInfo.InvariantCulture)),
            ]));
            var table = Tables.Create("POLICY", "TYPE", "METRIC", "TARGET", "COOLDOWN OUT/IN", "SCALE-IN");
            foreach (var policy in policies.GetProperty("ScalingPolicies").EnumerateArray())
            {
                if (policy.TryGetProperty("TargetTrackingScalingPolicyConfiguration", out var tracking))
                {
                    table.Row(Text(policy, "PolicyName"), "TargetTracking",
                        tracking.GetProperty("PredefinedMetricSpecification").GetProperty("PredefinedMetricType").GetString(),
                        tracking.GetProperty("TargetValue").GetDouble().ToString("0.##", CultureInfo.InvariantCulture),
                        $"{Number(tracking, "ScaleOutCooldown")}/{Number(tracking, "ScaleInCooldown")} s",
                        tracking.TryGetProperty("DisableScaleIn", out var disabled) && disabled.GetBoolean() ? "disabled" : "enabled");
                }
                else
                {
                    table.Row(Text(policy, "PolicyName"), "Step", "ECSServiceAverageCPUUtilization", "-", "-", "-");
                }
            }

            invocation.Output.Write(table);
            var scheduled = Tables.Create("SCHEDULED ACTION", "SCHEDULE", "MIN", "MAX");
            foreach (var action in actions.GetProperty("ScheduledActions").EnumerateArray())
            {
                var bounds = action.GetProperty("ScalableTargetAction");
                scheduled.Row(Text(action, "ScheduledActionName"), Text(action, "Schedule"), Number(bounds, "MinCapacity"), Number(bounds, "MaxCapacity"));
            }

            invocation.Output.Write(scheduled);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ActivitiesCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var service = ServiceOption();
        var command = new Command("activities", "The service's scaling activities, newest first: what changed, why (the metric and its value), the outcome") { cluster, service };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var key = Key(invocation.Get(cluster), invocation.Get(service));
            var request = new JsonObject { ["ServiceNamespace"] = "ecs", ["ResourceId"] = key["ResourceId"]!.GetValue<string>() };
            var activities = await invocation.Client.CallJsonAsync<JsonElement>("DescribeScalingActivities", request.ToJsonString(), cancellationToken);
            if (invocation.Output.IsJson)
            {
                var node = JsonNode.Parse(activities.GetRawText());
                EpochTimes.ToIso(node, TimeMembers);
                invocation.Output.Json(node);
                return ExitCodes.Success;
            }

            var table = Tables.Create("TIME", "STATUS", "DESCRIPTION", "CAUSE");
            foreach (var activity in activities.GetProperty("ScalingActivities").EnumerateArray())
            {
                table.Row(Time(activity, "StartTime"), Text(activity, "StatusCode"), Text(activity, "Description"), Text(activity, "Cause"));
            }

            invocation.Output.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ScheduleCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var service = ServiceOption();
        var name = new Argument<string>("name") { Description = "The scheduled action's name" };
        var schedule = new Option<string>("--schedule") { Description = "at(2026-12-24T18:00:00), rate(1 day) or cron(0 8 ? * MON-FRI *)", Required = true, HelpName = "expression" };
        var min = new Option<int?>("--min") { Description = "The new MinCapacity" };
        var max = new Option<int?>("--max") { Description = "The new MaxCapacity" };
        var timezone = new Option<string?>("--timezone") { Description = "The schedule's time zone: UTC (default) or an IANA name", HelpName = "zone" };
        var command = new Command("schedule", "Change the service's min and max at given times (PutScheduledAction)") { name, cluster, service, schedule, min, max, timezone };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = Key(invocation.Get(cluster), invocation.Get(service));
            request["ScheduledActionName"] = invocation.Get(name);
            request["Schedule"] = invocation.Get(schedule);
            if (invocation.GetOptional(timezone) is { } zone)
            {
                request["Timezone"] = zone;
            }

            var bounds = new JsonObject();
            if (invocation.GetOptional(min) is { } low)
            {
                bounds["MinCapacity"] = low;
            }

            if (invocation.GetOptional(max) is { } high)
            {
                bounds["MaxCapacity"] = high;
            }

            request["ScalableTargetAction"] = bounds;
            await invocation.Client.CallJsonAsync<JsonElement>("PutScheduledAction", request.ToJsonString(), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RemoveCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var service = ServiceOption();
        var command = new Command("remove", "Stop scaling the service: its scalable target, policies and scheduled actions are deleted; its desired count stays") { cluster, service };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            await invocation.Client.CallJsonAsync<JsonElement>("DeregisterScalableTarget", Key(invocation.Get(cluster), invocation.Get(service)).ToJsonString(), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static string? Text(JsonElement element, string member) =>
        element.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Number(JsonElement element, string member) =>
        element.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetRawText() : "-";

    private static string? Time(JsonElement element, string member) =>
        element.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(value.GetDecimal() * 1000m)).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : null;

    private static readonly HashSet<string> TimeMembers = new(StringComparer.Ordinal) { "CreationTime", "StartTime", "EndTime" };
}
