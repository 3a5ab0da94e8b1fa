using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Ecs.Model;
using TaskStatus = Orchestrator.Ecs.Model.TaskStatus;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch task run|list|describe|stop|logs|exec|events|stats</c>.</summary>
internal static class TaskCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("task", "Run, list, describe and stop tasks; read their logs, run commands in them");
        command.Subcommands.Add(TaskRunCommand.Create(runner));
        command.Subcommands.Add(ListCommand(runner));
        command.Subcommands.Add(DescribeCommand(runner));
        command.Subcommands.Add(StopCommand(runner));
        command.Subcommands.Add(TaskStreamCommands.Logs(runner));
        command.Subcommands.Add(TaskStreamCommands.Exec(runner));
        command.Subcommands.Add(TaskStreamCommands.Events(runner));
        command.Subcommands.Add(TaskStreamCommands.Stats(runner));
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var desiredStatus = new Option<string>("--desired-status") { Description = "Only the tasks with this desired status" };
        desiredStatus.AcceptOnlyFromAmong(TaskStatus.Running, TaskStatus.Stopped);
        var family = new Option<string>("--family") { Description = "Only the tasks of this task definition family" };
        var startedBy = new Option<string>("--started-by") { Description = "Only the tasks started by this" };
        var command = new Command("list", "List tasks (ListTasks, DescribeTasks)") { cluster, desiredStatus, family, startedBy };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var clusterName = invocation.Get(cluster);
            var arns = await Paging.ListAllAsync(async (nextToken, ct) =>
            {
                var request = new ListTasksRequest
                {
                    Cluster = clusterName,
                    DesiredStatus = invocation.GetOptional(desiredStatus),
                    Family = invocation.GetOptional(family),
                    StartedBy = invocation.GetOptional(startedBy),
                    NextToken = nextToken,
                };
                var page = await invocation.Client.CallAsync<ListTasksResponse>("ListTasks", request, ct);
                return (page.TaskArns, page.NextToken);
            }, cancellationToken);

            var response = await DescribeAsync(invocation.Client, clusterName, arns, cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
            }
            else if (response.Tasks.Count == 0 && response.Failures.Count == 0)
            {
                invocation.Output.Line($"No tasks in cluster {clusterName}.");
            }
            else
            {
                TaskView.Table(invocation.Output, response.Tasks);
                FailureView.Write(invocation.Output, response.Failures);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DescribeCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var tasks = new Argument<string[]>("task") { Description = "Task IDs or ARNs", Arity = ArgumentArity.OneOrMore };
        var command = new Command("describe", "Show tasks and their containers (DescribeTasks)") { tasks, cluster };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var response = await DescribeAsync(invocation.Client, invocation.Get(cluster), invocation.Get(tasks), cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
            }
            else
            {
                for (var i = 0; i < response.Tasks.Count; i++)
                {
                    if (i > 0)
                    {
                        invocation.Output.Line();
                    }

                    TaskView.Detail(invocation.Output, response.Tasks[i]);
                }

                FailureView.Write(invocation.Output, response.Failures);
            }

            return response.Failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command StopCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var task = new Argument<string>("task") { Description = "The task's ID or ARN" };
        var reason = new Option<string>("--reason") { Description = "Why the task is stopped (shown as its stoppedReason)" };
        var command = new Command("stop", "Stop a task (StopTask)") { task, cluster, reason };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new StopTaskRequest { Cluster = invocation.Get(cluster), Task = invocation.Get(task), Reason = invocation.GetOptional(reason) };
            var response = await invocation.Client.CallAsync<TaskResponse>("StopTask", request, cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
            }
            else
            {
                TaskView.Table(invocation.Output, [response.Task]);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>DescribeTasks for any number of tasks, in ECS-sized chunks, merged into one response.</summary>
    internal static async Task<TasksResponse> DescribeAsync(
        EcsClient client, string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken)
    {
        var chunks = await Paging.DescribeInChunksAsync(tasks, (chunk, ct) =>
            client.CallAsync<TasksResponse>("DescribeTasks", new DescribeTasksRequest { Cluster = cluster, Tasks = chunk }, ct),
            cancellationToken);
        return new TasksResponse([.. chunks.SelectMany(c => c.Tasks)], [.. chunks.SelectMany(c => c.Failures)]);
    }
}
