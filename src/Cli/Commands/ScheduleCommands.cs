using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Output;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orch schedule create|get|list|update|delete|history</c>: scheduled tasks, EventBridge Scheduler's schedules
/// (the same operations <c>aws scheduler</c> calls on the HTTP port), and the runs each one made.
/// </summary>
internal static class ScheduleCommands
{
    /// <summary>The role EventBridge needs to be named; the control plane accepts it and does not enforce it.</summary>
    public const string DefaultRoleArn = "arn:aws:iam::000000000000:role/orch-scheduler";

    public static Command Create(CommandRunner runner)
    {
        var command = new Command("schedule", "Run tasks on a schedule: rate(), cron() and at() expressions (EventBridge Scheduler's schedules)");
        command.Subcommands.Add(CreateOrUpdate(runner, update: false));
        command.Subcommands.Add(GetCommand(runner));
        command.Subcommands.Add(ListCommand(runner));
        command.Subcommands.Add(CreateOrUpdate(runner, update: true));
        command.Subcommands.Add(DeleteCommand(runner));
        command.Subcommands.Add(HistoryCommand(runner));
        return command;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The schedule's name: letters, digits, '-', '_' and '.' (at most 64)" };

    private static Command CreateOrUpdate(CommandRunner runner, bool update)
    {
        var name = NameArgument();
        var expression = new Option<string?>("--expression", "-e") { Description = "rate(5 minutes), cron(0 8 ? * MON-FRI *) or at(2026-12-31T23:00:00)", HelpName = "expression", Required = !update };
        var definition = new Option<string?>("--task-definition", "-t") { Description = "The task definition: family, family:revision or ARN", HelpName = "family:revision", Required = !update };
        var cluster = new Option<string?>("--cluster", "-c") { Description = $"The cluster's name or ARN (default: {ClusterOption.Default}, or the schedule's when updating)" };
        var count = new Option<int?>("--count") { Description = "How many tasks each run starts (1-10)" };
        var timezone = new Option<string?>("--timezone") { Description = "The expression's time zone: UTC (default) or an IANA name such as Europe/Paris", HelpName = "zone" };
        var start = new Option<string?>("--start-date") { Description = "No run before this time (ISO 8601)", HelpName = "time" };
        var end = new Option<string?>("--end-date") { Description = "No run after this time (ISO 8601)", HelpName = "time" };
        var state = new Option<string?>("--state") { Description = "ENABLED (default) or DISABLED", HelpName = "state" };
        state.AcceptOnlyFromAmong("ENABLED", "DISABLED");
        var input = new Option<string?>("--input") { Description = "RunTask overrides as JSON, e.g. {\"containerOverrides\":[{\"name\":\"app\",\"command\":[\"date\"]}]}", HelpName = "json" };
        var group = new Option<string?>("--group") { Description = "The tasks' group" };
        var description = new Option<string?>("--description") { Description = "What the schedule is for", HelpName = "text" };
        var deleteAfter = new Option<bool>("--delete-after-completion") { Description = "Delete the schedule once it has no run left (ActionAfterCompletion DELETE)" };
        var command = new Command(update ? "update" : "create", update
            ? "Change a schedule (UpdateSchedule); options not given keep their values"
            : "Create a schedule that runs a task definition on a cluster (CreateSchedule)")
        {
            name, expression, definition, cluster, count, timezone, start, end, state, input, group, description, deleteAfter,
        };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var scheduleName = invocation.Get(name);
            var request = new JsonObject();
            if (update)
            {
                var current = await invocation.Client.CallJsonAsync<JsonElement>("GetSchedule", new JsonObject { ["Name"] = scheduleName }.ToJsonString(), cancellationToken);
                request = JsonNode.Parse(current.GetRawText())!.AsObject();
                foreach (var readOnly in new[] { "Arn", "CreationDate", "LastModificationDate" })
                {
                    request.Remove(readOnly);
                }
            }

            request["Name"] = scheduleName;
            request["FlexibleTimeWindow"] ??= new JsonObject { ["Mode"] = "OFF" };
            var target = request["Target"] as JsonObject ?? new JsonObject { ["RoleArn"] = DefaultRoleArn };
            request["Target"] = target;
            var ecs = target["EcsParameters"] as JsonObject ?? [];
            target["EcsParameters"] = ecs;
            if (invocation.GetOptional(cluster) is not null || !update)
            {
                target["Arn"] = await ClusterArnAsync(invocation, invocation.GetOptional(cluster) ?? ClusterOption.Default, cancellationToken);
            }

            Set(request, "ScheduleExpression", invocation.GetOptional(expression));
            Set(ecs, "TaskDefinitionArn", invocation.GetOptional(definition));
            if (invocation.GetOptional(count) is { } n)
            {
                ecs["TaskCount"] = n;
            }

            Set(ecs, "Group", invocation.GetOptional(group));
            Set(target, "Input", invocation.GetOptional(input));
            Set(request, "ScheduleExpressionTimezone", invocation.GetOptional(timezone));
            Set(request, "State", invocation.GetOptional(state));
            Set(request, "Description", invocation.GetOptional(description));
            if (invocation.GetOptional(deleteAfter))
            {
                request["ActionAfterCompletion"] = "DELETE";
            }

            if (invocation.GetOptional(start) is { } startText)
            {
                request["StartDate"] = Epoch(startText, "--start-date");
            }

            if (invocation.GetOptional(end) is { } endText)
            {
                request["EndDate"] = Epoch(endText, "--end-date");
            }

            var action = update ? "UpdateSchedule" : "CreateSchedule";
            var response = await invocation.Client.CallJsonAsync<JsonElement>(action, request.ToJsonString(), cancellationToken);
            if (invocation.Output.IsJson)
            {
                Json(invocation, response);
            }
            else
            {
                invocation.Output.Line(response.GetProperty("ScheduleArn").GetString() ?? "");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command GetCommand(CommandRunner runner)
    {
        var name = NameArgument();
        var command = new Command("get", "Show a schedule (GetSchedule)") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var schedule = await invocation.Client.CallJsonAsync<JsonElement>("GetSchedule", new JsonObject { ["Name"] = invocation.Get(name) }.ToJsonString(), cancellationToken);
            if (invocation.Output.IsJson)
            {
                Json(invocation, schedule);
                return ExitCodes.Success;
            }

            var target = schedule.TryGetProperty("Target", out var t) ? t : default;
            var ecs = target.ValueKind == JsonValueKind.Object && target.TryGetProperty("EcsParameters", out var e) ? e : default;
            invocation.Output.Write(Tables.Details(
            [
                ("Name", Text(schedule, "Name")),
                ("ARN", Text(schedule, "Arn")),
                ("State", Text(schedule, "State")),
                ("Expression", Text(schedule, "ScheduleExpression")),
                ("Time zone", Text(schedule, "ScheduleExpressionTimezone")),
                ("Start", Time(invocation, schedule, "StartDate")),
                ("End", Time(invocation, schedule, "EndDate")),
                ("Cluster", Text(target, "Arn")),
                ("Task definition", Text(ecs, "TaskDefinitionArn")),
                ("Count", ecs.ValueKind == JsonValueKind.Object && ecs.TryGetProperty("TaskCount", out var c) ? c.ToString() : "1"),
                ("Input", Text(target, "Input")),
                ("Description", Text(schedule, "Description")),
                ("Created", Time(invocation, schedule, "CreationDate")),
                ("Modified", Time(invocation, schedule, "LastModificationDate")),
            ]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var prefix = new Option<string?>("--name-prefix") { Description = "Only schedules whose name starts with this" };
        var state = new Option<string?>("--state") { Description = "Only ENABLED or DISABLED schedules" };
        state.AcceptOnlyFromAmong("ENABLED", "DISABLED");
        var command = new Command("list", "List the schedules (ListSchedules, every page)") { prefix, state };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var schedules = new List<JsonElement>();
            string? token = null;
            for (var page = 0; page < 1000; page++)
            {
                var request = new JsonObject();
                Set(request, "NamePrefix", invocation.GetOptional(prefix));
                Set(request, "State", invocation.GetOptional(state));
                Set(request, "NextToken", token);
                var response = await invocation.Client.CallJsonAsync<JsonElement>("ListSchedules", request.ToJsonString(), cancellationToken);
                schedules.AddRange(response.GetProperty("Schedules").EnumerateArray());
                token = Text(response, "NextToken");
                if (token is null)
                {
                    break;
                }
            }

            if (invocation.Output.IsJson)
            {
                var all = new JsonObject { ["Schedules"] = new JsonArray([.. schedules.Select(s => JsonNode.Parse(s.GetRawText()))]) };
                using var document = JsonDocument.Parse(all.ToJsonString());
                Json(invocation, document.RootElement);
                return ExitCodes.Success;
            }

            var table = Tables.Create("NAME", "STATE", "CLUSTER", "CREATED");
            foreach (var schedule in schedules)
            {
                var target = schedule.TryGetProperty("Target", out var t) ? t : default;
                table.Row(Text(schedule, "Name"), Text(schedule, "State"), Text(target, "Arn") is { } arn ? arn[(arn.LastIndexOf('/') + 1)..] : null, Time(invocation, schedule, "CreationDate"));
            }

            invocation.Output.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DeleteCommand(CommandRunner runner)
    {
        var name = NameArgument();
        var command = new Command("delete", "Delete a schedule; tasks it started keep running (DeleteSchedule)") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            await invocation.Client.CallJsonAsync<JsonElement>("DeleteSchedule", new JsonObject { ["Name"] = invocation.Get(name) }.ToJsonString(), cancellationToken);
            invocation.Output.Progress($"Deleted schedule {invocation.Get(name)}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command HistoryCommand(CommandRunner runner)
    {
        var name = NameArgument();
        var command = new Command("history", "The schedule's latest runs (up to 100), newest first: when, outcome, tasks started or why not") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var history = await invocation.Client.CallJsonAsync<JsonElement>("GetScheduleHistory", new JsonObject { ["Name"] = invocation.Get(name) }.ToJsonString(), cancellationToken);
            if (invocation.Output.IsJson)
            {
                Json(invocation, history);
                return ExitCodes.Success;
            }

            var table = Tables.Create("SCHEDULED", "STATUS", "TASKS", "REASON");
            foreach (var run in history.GetProperty("Runs").EnumerateArray())
            {
                var tasks = run.TryGetProperty("TaskArns", out var arns) ? string.Join(", ", arns.EnumerateArray().Select(a => a.GetString()![(a.GetString()!.LastIndexOf('/') + 1)..])) : null;
                table.Row(Time(invocation, run, "ScheduledTime"), Text(run, "Status"), tasks, Text(run, "Reason"));
            }

            invocation.Output.Write(table);
            invocation.Output.Progress($"Next run: {Time(invocation, history, "NextFireTime") ?? "none"}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<string> ClusterArnAsync(Invocation invocation, string cluster, CancellationToken cancellationToken)
    {
        var response = await invocation.Client.CallAsync<DescribeClustersResponse>("DescribeClusters", new DescribeClustersRequest { Clusters = [cluster] }, cancellationToken);
        return response.Clusters.FirstOrDefault()?.ClusterArn
            ?? throw new CliException(ExitCodes.ServiceError, $"Cluster {cluster} was not found.");
    }

    private static readonly HashSet<string> TimeMembers = new(StringComparer.Ordinal)
    {
        "CreationDate", "LastModificationDate", "StartDate", "EndDate", "ScheduledTime", "RunTime", "NextFireTime",
    };

    /// <summary>The document with its timestamps as ISO 8601, as the AWS CLI and orch's other commands print them.</summary>
    private static void Json(Invocation invocation, JsonElement document)
    {
        var node = JsonNode.Parse(document.GetRawText());
        EpochTimes.ToIso(node, TimeMembers);
        invocation.Output.Json(node);
    }

    private static void Set(JsonObject target, string member, string? value)
    {
        if (value is not null)
        {
            target[member] = value;
        }
    }

    private static decimal Epoch(string text, string option) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToUnixTimeMilliseconds() / 1000m
            : throw CliException.Local($"{option} '{text}' is not a time such as 2026-12-31T08:00:00Z.");

    private static string? Text(JsonElement element, string member) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Time(Invocation invocation, JsonElement element, string member) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.Number
            ? TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds((long)(value.GetDecimal() * 1000m)), invocation.Output.LocalTimeZone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)
            : null;
}
