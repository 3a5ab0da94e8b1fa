using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Contracts.Admin;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orch role create|get|list|delete</c>: task roles. A task definition's (or RunTask's) <c>taskRoleArn</c> names one;
/// the task's containers get short-lived keys whose ECS API calls are checked against the role's policy, an IAM JSON
/// policy document given inline (<c>--policy-document '{…}'</c>) or from a file (<c>--policy-document file://policy.json</c>,
/// as the AWS CLI takes it).
/// </summary>
internal static class RoleCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("role", "Create, show, list and delete task roles (taskRoleArn) and their policies");
        command.Subcommands.Add(CreateCommand(runner));
        command.Subcommands.Add(GetCommand(runner));
        command.Subcommands.Add(ListCommand(runner));
        command.Subcommands.Add(DeleteCommand(runner));
        return command;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The role's name: letters, digits and +=,.@_- (at most 64)" };

    private static Command CreateCommand(CommandRunner runner)
    {
        var name = NameArgument();
        var policy = new Option<string>("--policy-document")
        {
            Description = "The role's IAM policy: JSON inline or file://PATH (Effect Allow/Deny, Action ecs:…, Resource ARN patterns)",
            HelpName = "json|file://path",
            Required = true,
        };
        var description = new Option<string?>("--description") { Description = "What the role is for", HelpName = "text" };
        var command = new Command("create", "Create a task role with its policy (CreateRole)") { name, policy, description };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new CreateRoleRequest
            {
                Name = invocation.Get(name),
                PolicyDocument = await ReadPolicyAsync(invocation.Get(policy), cancellationToken),
                Description = invocation.GetOptional(description) ?? "",
            };
            Show(invocation, await invocation.Admin.CreateRoleAsync(request, cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<string> ReadPolicyAsync(string value, CancellationToken cancellationToken)
    {
        if (!value.StartsWith("file://", StringComparison.Ordinal))
        {
            return value;
        }

        var path = value["file://".Length..];
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Local($"Cannot read {path}: {e.Message}");
        }
    }

    private static Command GetCommand(CommandRunner runner)
    {
        var name = NameArgument();
        var command = new Command("get", "Show a role: its ARN and policy (GetRole)") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            Show(invocation, await invocation.Admin.GetRoleAsync(invocation.Get(name), cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var command = new Command("list", "List the task roles (ListRoles)");
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var response = await invocation.Admin.ListRolesAsync(cancellationToken);
            if (invocation.Output.IsJson)
            {
                AdminView.Json(invocation.Output, response);
            }
            else
            {
                Table(invocation.Output, response.Roles);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DeleteCommand(CommandRunner runner)
    {
        var name = NameArgument();
        var command = new Command("delete", "Delete a role; its tasks' keys stop working and tasks started afterwards that name it are refused (DeleteRole)") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            await invocation.Admin.DeleteRoleAsync(invocation.Get(name), cancellationToken);
            invocation.Output.Progress($"Deleted role {invocation.Get(name)}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Table(CommandOutput output, IEnumerable<RoleInfo> roles)
    {
        var table = Tables.Create("NAME", "ARN", "DESCRIPTION");
        foreach (var role in roles)
        {
            table.Row(role.Name, role.Arn, role.Description);
        }

        output.Write(table);
    }

    private static void Show(Invocation invocation, RoleInfo role)
    {
        if (invocation.Output.IsJson)
        {
            AdminView.Json(invocation.Output, role);
            return;
        }

        Table(invocation.Output, [role]);
        invocation.Output.Line(role.PolicyDocument);
    }
}
