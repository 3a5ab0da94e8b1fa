using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Contracts.Admin;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch access-key create|list|delete</c>: the keys that sign calls to the control plane (admin API).</summary>
internal static class AccessKeyCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("access-key", "Create, list and delete the access keys that sign calls to the control plane");
        command.Subcommands.Add(CreateCommand(runner));
        command.Subcommands.Add(ListCommand(runner));
        command.Subcommands.Add(DeleteCommand(runner));
        return command;
    }

    private static Command CreateCommand(CommandRunner runner)
    {
        var readOnly = new Option<bool>("--read-only") { Description = "The key may only describe and list, not change anything" };
        var description = new Option<string?>("--description") { Description = "What or who the key is for", HelpName = "text" };
        var command = new Command("create", "Create an access key; its secret is shown only this once (CreateAccessKey)") { readOnly, description };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new CreateAccessKeyRequest { ReadOnly = invocation.Get(readOnly), Description = invocation.GetOptional(description) ?? "" };
            var key = await invocation.Admin.CreateAccessKeyAsync(request, cancellationToken);
            if (invocation.Output.IsJson)
            {
                AdminView.Json(invocation.Output, key);
            }
            else
            {
                AdminView.CreatedAccessKey(invocation.Output, key);
            }

            invocation.Output.Error(
                $"The secret access key is shown only this once; keep it ({ConnectionSettings.AccessKeyIdVariable}/{ConnectionSettings.SecretAccessKeyVariable} or a config file).");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var command = new Command("list", "List the access keys, without their secrets (ListAccessKeys)");
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var response = await invocation.Admin.ListAccessKeysAsync(cancellationToken);
            if (invocation.Output.IsJson)
            {
                AdminView.Json(invocation.Output, response, "secretAccessKey");
            }
            else
            {
                AdminView.AccessKeys(invocation.Output, response.AccessKeys);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DeleteCommand(CommandRunner runner)
    {
        var id = new Argument<string>("access-key-id") { Description = "The access key's ID" };
        var command = new Command("delete", "Delete an access key: calls signed with it are refused from now on (DeleteAccessKey)") { id };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var response = await invocation.Admin.DeleteAccessKeyAsync(invocation.Get(id), cancellationToken);
            if (invocation.Output.IsJson)
            {
                AdminView.Json(invocation.Output, response);
            }
            else
            {
                invocation.Output.Line($"Deleted access key {invocation.Get(id)}.");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
