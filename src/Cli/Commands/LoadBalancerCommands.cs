using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Output;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orch lb target-group|listener …</c>: the control plane's built-in load balancer (its own operations through
/// ClusterApi.Call, named after ELBv2's): target groups that services register their tasks in, listeners that forward
/// a port (HTTP with host and path rules, or TCP) to a target group, and the targets each group has now.
/// </summary>
internal static class LoadBalancerCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("lb", "The built-in load balancer: target groups and listeners");
        var groups = new Command("target-group", "Target groups: where services register their tasks (loadBalancers)");
        groups.Subcommands.Add(CreateGroup(runner));
        groups.Subcommands.Add(ListGroups(runner));
        groups.Subcommands.Add(DescribeGroup(runner));
        groups.Subcommands.Add(DeleteGroup(runner));
        var listeners = new Command("listener", "Listeners: a port (HTTP rules or TCP) forwarded to a target group");
        listeners.Subcommands.Add(CreateListener(runner));
        listeners.Subcommands.Add(ListListeners(runner));
        listeners.Subcommands.Add(DeleteListener(runner));
        command.Subcommands.Add(groups);
        command.Subcommands.Add(listeners);
        return command;
    }

    private static Command CreateGroup(CommandRunner runner)
    {
        var name = new Argument<string>("name") { Description = "The target group's name (1-32 letters, digits and hyphens)" };
        var protocol = new Option<string>("--port-protocol", "--protocol") { Description = "HTTP (default) or TCP: what the targets speak" };
        var path = new Option<string>("--health-path") { Description = "HTTP health check path [default: /]" };
        var interval = DurationOption.Create("--health-interval", "Time between health checks of each target [default: 30s]");
        var timeout = DurationOption.Create("--health-timeout", "How long a health check may take [default: 5s or the interval]");
        var threshold = new Option<int?>("--unhealthy-threshold") { Description = "Failed checks in a row that take a target out [default: 2]" };
        var delay = new Option<string>("--deregistration-delay") { Description = "How long a stopping task drains before it is stopped, e.g. 5s [default: 300s]" };
        var command = new Command("create", "Create a target group") { name, protocol, path, interval, timeout, threshold, delay };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new JsonObject
            {
                ["Name"] = invocation.Get(name),
                ["Protocol"] = invocation.GetOptional(protocol),
                ["HealthCheckPath"] = invocation.GetOptional(path),
                ["HealthCheckIntervalSeconds"] = Seconds(invocation.GetOptional(interval)),
                ["HealthCheckTimeoutSeconds"] = Seconds(invocation.GetOptional(timeout)),
                ["UnhealthyThresholdCount"] = invocation.GetOptional(threshold),
                ["DeregistrationDelaySeconds"] = invocation.GetOptional(delay) is { } text ? DelaySeconds(text) : null,
            };
            var response = await invocation.Client.CallJsonAsync<JsonElement>("CreateTargetGroup", Json(request), cancellationToken);
            return WriteGroups(invocation, response);
        });
        return command;
    }

    private static Command ListGroups(CommandRunner runner)
    {
        var command = new Command("list", "List the target groups");
        runner.SetAction(command, async (invocation, cancellationToken) =>
            WriteGroups(invocation, await invocation.Client.CallJsonAsync<JsonElement>("DescribeTargetGroups", "{}", cancellationToken)));
        return command;
    }

    private static Command DescribeGroup(CommandRunner runner)
    {
        var name = new Argument<string>("name") { Description = "The target group's name or ARN" };
        var command = new Command("describe", "A target group's settings and its targets now (registered or draining)") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = Json(new JsonObject { ["Names"] = new JsonArray(invocation.Get(name)) });
            var groups = await invocation.Client.CallJsonAsync<JsonElement>("DescribeTargetGroups", request, cancellationToken);
            var health = await invocation.Client.CallJsonAsync<JsonElement>("DescribeTargetHealth", request, cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(new JsonObject
                {
                    ["TargetGroup"] = JsonNode.Parse(groups.GetProperty("TargetGroups")[0].GetRawText()),
                    ["Targets"] = JsonNode.Parse(health.GetProperty("Targets").GetRawText()),
                });
                return ExitCodes.Success;
            }

            WriteGroups(invocation, groups);
            var table = Tables.Create("TASK", "ADDRESS", "STATE");
            foreach (var target in health.GetProperty("Targets").EnumerateArray())
            {
                table.Row(Text(target, "TaskId"), target.TryGetProperty("Address", out var a) ? $"{a.GetString()}:{Text(target, "Port")}" : null, Text(target, "State"));
            }

            invocation.Output.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DeleteGroup(CommandRunner runner)
    {
        var name = new Argument<string>("name") { Description = "The target group's name or ARN" };
        var command = new Command("delete", "Delete a target group no listener or service uses") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            await invocation.Client.CallJsonAsync<JsonElement>("DeleteTargetGroup",
                Json(new JsonObject { ["Names"] = new JsonArray(invocation.Get(name)) }), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateListener(CommandRunner runner)
    {
        var port = new Option<int>("--port") { Description = "The port to listen on (the control plane's --lb-address)", Required = true };
        var protocol = new Option<string>("--protocol") { Description = "HTTP (default) or TCP" };
        var host = new Option<string>("--host") { Description = "HTTP: only requests for this host name (* as a wildcard)" };
        var path = new Option<string>("--path") { Description = "HTTP: only this path, or paths under it with a trailing * (/api/*)" };
        var group = new Option<string>("--target-group") { Description = "Forward to this target group (name or ARN)", Required = true };
        var command = new Command("create", "Create a listener (or another HTTP rule on a listener's port)") { port, protocol, host, path, group };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new JsonObject
            {
                ["Port"] = invocation.Get(port),
                ["Protocol"] = invocation.GetOptional(protocol),
                ["Host"] = invocation.GetOptional(host),
                ["Path"] = invocation.GetOptional(path),
                ["TargetGroup"] = invocation.Get(group),
            };
            return WriteListeners(invocation, await invocation.Client.CallJsonAsync<JsonElement>("CreateListener", Json(request), cancellationToken));
        });
        return command;
    }

    private static Command ListListeners(CommandRunner runner)
    {
        var command = new Command("list", "List the listeners and their rules");
        runner.SetAction(command, async (invocation, cancellationToken) =>
            WriteListeners(invocation, await invocation.Client.CallJsonAsync<JsonElement>("DescribeListeners", "{}", cancellationToken)));
        return command;
    }

    private static Command DeleteListener(CommandRunner runner)
    {
        var arn = new Argument<string>("arn") { Description = "The listener's ARN (orch lb listener list)" };
        var command = new Command("delete", "Delete a listener rule") { arn };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            await invocation.Client.CallJsonAsync<JsonElement>("DeleteListener",
                Json(new JsonObject { ["ListenerArn"] = invocation.Get(arn) }), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static int WriteGroups(Invocation invocation, JsonElement response)
    {
        if (invocation.Output.IsJson)
        {
            invocation.Output.Json(response);
            return ExitCodes.Success;
        }

        var table = Tables.Create("NAME", "PROTOCOL", "HEALTH", "INTERVAL", "DEREGISTRATION", "ARN");
        foreach (var g in response.GetProperty("TargetGroups").EnumerateArray())
        {
            table.Row(Text(g, "TargetGroupName"), Text(g, "Protocol"), Text(g, "HealthCheckPath"), Text(g, "HealthCheckIntervalSeconds") + "s",
                Text(g, "DeregistrationDelaySeconds") + "s", Text(g, "TargetGroupArn"));
        }

        invocation.Output.Write(table);
        return ExitCodes.Success;
    }

    private static int WriteListeners(Invocation invocation, JsonElement response)
    {
        if (invocation.Output.IsJson)
        {
            invocation.Output.Json(response);
            return ExitCodes.Success;
        }

        var table = Tables.Create("PORT", "PROTOCOL", "HOST", "PATH", "TARGET GROUP", "ARN");
        foreach (var l in response.GetProperty("Listeners").EnumerateArray())
        {
            table.Row(Text(l, "Port"), Text(l, "Protocol"), Text(l, "Host"), Text(l, "Path"), Text(l, "TargetGroup"), Text(l, "ListenerArn"));
        }

        invocation.Output.Write(table);
        return ExitCodes.Success;
    }

    private static string? Text(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) ? null
        : value.ValueKind == JsonValueKind.Number ? value.GetInt64().ToString(CultureInfo.InvariantCulture)
        : value.ValueKind == JsonValueKind.Null ? null : value.GetString();

    private static int? Seconds(TimeSpan? duration) => duration is { } d ? (int)Math.Ceiling(d.TotalSeconds) : null;

    private static int DelaySeconds(string text) =>
        text == "0" ? 0
        : Duration.TryParse(text, out var d) && d >= TimeSpan.Zero ? (int)Math.Ceiling(d.TotalSeconds)
        : throw new FormatException($"--deregistration-delay: '{text}' is not a duration such as 5s or 5m");

    private static string Json(JsonObject request)
    {
        foreach (var name in request.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            request.Remove(name);
        }

        return request.ToJsonString();
    }
}
