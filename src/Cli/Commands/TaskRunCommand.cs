using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch task run</c>: RunTask, and with <c>--wait</c> follow the placed tasks until they run.</summary>
internal static class TaskRunCommand
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    public static Command Create(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var definition = new Option<string>("--task-definition", "-t")
        {
            Description = "FAMILY, FAMILY:REVISION or an ARN",
            Required = true,
        };
        var count = new Option<int>("--count") { Description = "How many tasks to start", DefaultValueFactory = _ => 1 };
        var startedBy = new Option<string>("--started-by") { Description = "A tag for the tasks' startedBy (filter with task list)" };
        var group = new Option<string>("--group") { Description = "The tasks' group" };
        var wait = new Option<bool>("--wait") { Description = "Wait until every task is RUNNING (exit 1 if one stops or the timeout passes)" };
        var timeout = DurationOption.Create("--timeout", $"How long --wait waits, e.g. 90s, 5m, 1h [default: {Duration.Format(DefaultTimeout)}]");
        var subnets = new Option<string>("--subnets")
        {
            Description = "awsvpc tasks: the subnets their address may come from, comma separated (networkConfiguration) [default: any serving the instance]",
        };

        var enableExec = new Option<bool>("--enable-execute-command") { Description = "Allow orch task exec in the tasks' containers (enableExecuteCommand)" };
        var placement = new PlacementOptions();
        var command = new Command("run", "Start tasks from a task definition (RunTask)")
        {
            cluster, definition, count, startedBy, group, wait, timeout, subnets, enableExec,
        };
        placement.AddTo(command);
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var clusterName = invocation.Get(cluster);
            var request = new RunTaskRequest
            {
                Cluster = clusterName,
                TaskDefinition = invocation.Get(definition),
                Count = invocation.Get(count),
                StartedBy = invocation.GetOptional(startedBy),
                Group = invocation.GetOptional(group),
                PlacementConstraints = placement.ReadConstraints(invocation),
                PlacementStrategy = placement.ReadStrategies(invocation),
                EnableExecuteCommand = invocation.Get(enableExec) ? true : null,
                NetworkConfiguration = invocation.GetOptional(subnets) is { Length: > 0 } names
                    ? new NetworkConfiguration
                    {
                        AwsvpcConfiguration = new AwsvpcConfiguration { Subnets = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                    }
                    : null,
            };
            var response = await invocation.Client.CallAsync<TasksResponse>("RunTask", request, cancellationToken);
            var output = invocation.Output;

            if (response.Tasks.Count == 0 || !invocation.Get(wait))
            {
                Print(output, response);
                return response.Tasks.Count == 0 ? ExitCodes.Failure : ExitCodes.Success;
            }

            var waitFor = invocation.GetOptional(timeout) ?? DefaultTimeout;
            var progress = await TaskWaiter.WaitAsync(invocation, clusterName, response.Tasks, waitFor, cancellationToken);
            TaskWaiter.ReportProblem(output, progress, waitFor);
            Print(output, new TasksResponse(progress.Tasks, [.. response.Failures, .. progress.Failures]));
            return progress.State == WaitState.Running ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static void Print(CommandOutput output, TasksResponse response)
    {
        if (output.IsJson)
        {
            output.Json(response);
            return;
        }

        if (response.Tasks.Count == 0)
        {
            output.Line("No task was started.");
        }
        else
        {
            TaskView.Table(output, response.Tasks);
        }

        FailureView.Write(output, response.Failures);
    }
}
