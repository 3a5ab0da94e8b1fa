using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch taskdef register|list|describe</c>.</summary>
internal static class TaskDefinitionCommands
{
    private const string FileScheme = "file://";

    public static Command Create(CommandRunner runner)
    {
        var command = new Command("taskdef", "Register, list and describe task definitions");
        command.Subcommands.Add(RegisterCommand(runner));
        command.Subcommands.Add(ListCommand(runner));
        command.Subcommands.Add(DescribeCommand(runner));
        return command;
    }

    private static Command RegisterCommand(CommandRunner runner)
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = "A RegisterTaskDefinition request document (JSON), as F.json or file://F.json",
            HelpName = "path",
            Required = true,
        };
        var command = new Command("register", "Register a task definition from a JSON file (RegisterTaskDefinition)") { file };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var json = await ReadFileAsync(invocation.Get(file), cancellationToken);
            var response = await invocation.Client.CallJsonAsync<TaskDefinitionResponse>("RegisterTaskDefinition", json, cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
            }
            else
            {
                TaskDefinitionView.Table(invocation.Output, [response.TaskDefinition]);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var familyPrefix = new Option<string>("--family-prefix") { Description = "Only the families that start with this" };
        var status = new Option<string>("--status") { Description = "Only the revisions with this status" };
        status.AcceptOnlyFromAmong("ACTIVE", "INACTIVE");
        var command = new Command("list", "List task definition revisions (ListTaskDefinitions)") { familyPrefix, status };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var arns = await Paging.ListAllAsync(async (nextToken, ct) =>
            {
                var request = new ListTaskDefinitionsRequest
                {
                    FamilyPrefix = invocation.GetOptional(familyPrefix),
                    Status = invocation.GetOptional(status),
                    NextToken = nextToken,
                };
                var page = await invocation.Client.CallAsync<ListTaskDefinitionsResponse>("ListTaskDefinitions", request, ct);
                return (page.TaskDefinitionArns, page.NextToken);
            }, cancellationToken);

            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(new ListTaskDefinitionsResponse(arns, NextToken: null));
            }
            else
            {
                TaskDefinitionView.ArnTable(invocation.Output, arns);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DescribeCommand(CommandRunner runner)
    {
        var definition = new Argument<string>("task-definition") { Description = "FAMILY, FAMILY:REVISION or an ARN" };
        var command = new Command("describe", "Show a task definition and its containers (DescribeTaskDefinition)") { definition };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new DescribeTaskDefinitionRequest { TaskDefinition = invocation.Get(definition) };
            var response = await invocation.Client.CallAsync<TaskDefinitionResponse>("DescribeTaskDefinition", request, cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
            }
            else
            {
                TaskDefinitionView.Detail(invocation.Output, response.TaskDefinition);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The file's text exactly as written: the server validates it and reports where it is malformed.</summary>
    private static async Task<string> ReadFileAsync(string reference, CancellationToken cancellationToken)
    {
        var path = reference.StartsWith(FileScheme, StringComparison.Ordinal) ? reference[FileScheme.Length..] : reference;
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw CliException.Local($"The task definition file '{path}' does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Local($"Could not read the task definition file '{path}': {e.Message}");
        }
    }
}
