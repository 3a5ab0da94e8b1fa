using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Contracts.Admin;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orch secret create|put|get-metadata|list|delete</c>: the control plane's secret store, whose values tasks get as
/// environment variables (<c>containerDefinitions[].secrets</c>). Values go in; only metadata comes back.
/// </summary>
internal static class SecretCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("secret", "Create, update, list and delete the secrets tasks receive as environment variables");
        command.Subcommands.Add(CreateCommand(runner));
        command.Subcommands.Add(PutCommand(runner));
        command.Subcommands.Add(GetMetadataCommand(runner));
        command.Subcommands.Add(ListCommand(runner));
        command.Subcommands.Add(DeleteCommand(runner));
        return command;
    }

    private sealed record ValueOptions(Option<string?> Value, Option<FileInfo?> File)
    {
        public static ValueOptions New() => new(
            new Option<string?>("--value") { Description = "The value (visible in the shell's history; prefer --value-file or stdin)", HelpName = "text" },
            new Option<FileInfo?>("--value-file") { Description = "Read the value from a file (one trailing newline is dropped)", HelpName = "file" });

        /// <summary>From --value, --value-file or, when neither is given, standard input (not a terminal).</summary>
        public async Task<string> ReadAsync(Invocation invocation, CancellationToken cancellationToken)
        {
            var value = invocation.GetOptional(Value);
            var file = invocation.GetOptional(File);
            if (value is not null && file is not null)
            {
                throw CliException.Local("Give the value one way: --value, --value-file or standard input.");
            }

            if (value is not null)
            {
                return value;
            }

            if (file is not null)
            {
                try
                {
                    return TrimNewline(await System.IO.File.ReadAllTextAsync(file.FullName, cancellationToken));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw CliException.Local($"Cannot read {file.FullName}: {e.Message}");
                }
            }

            if (!Console.IsInputRedirected)
            {
                throw CliException.Local("Give the value with --value, --value-file or on standard input (orch secret create NAME < file).");
            }

            return TrimNewline(await Console.In.ReadToEndAsync(cancellationToken));
        }

        private static string TrimNewline(string text) =>
            text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The secret's name: letters, digits and /_+=.@- (at most 512)" };

    private static Command CreateCommand(CommandRunner runner)
    {
        var name = NameArgument();
        var values = ValueOptions.New();
        var description = new Option<string?>("--description") { Description = "What the secret is for", HelpName = "text" };
        var command = new Command("create", "Create a secret (CreateSecret); tasks name it in secrets[].valueFrom") { name, values.Value, values.File, description };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new CreateSecretRequest
            {
                Name = invocation.Get(name),
                Value = await values.ReadAsync(invocation, cancellationToken),
                Description = invocation.GetOptional(description) ?? "",
            };
            Show(invocation, await invocation.Admin.CreateSecretAsync(request, cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command PutCommand(CommandRunner runner)
    {
        var name = NameArgument();
        var values = ValueOptions.New();
        var description = new Option<string?>("--description") { Description = "A new description", HelpName = "text" };
        var command = new Command("put", "Give a secret a new value (PutSecretValue); tasks started from now on get it") { name, values.Value, values.File, description };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new PutSecretValueRequest { Name = invocation.Get(name), Value = await values.ReadAsync(invocation, cancellationToken) };
            if (invocation.GetOptional(description) is { } text)
            {
                request.Description = text;
            }

            Show(invocation, await invocation.Admin.PutSecretValueAsync(request, cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command GetMetadataCommand(CommandRunner runner)
    {
        var name = NameArgument();
        var command = new Command("get-metadata", "Show a secret's name, ARN, version and dates; never its value (GetSecretMetadata)") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            Show(invocation, await invocation.Admin.GetSecretMetadataAsync(invocation.Get(name), cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var command = new Command("list", "List the secrets, without their values (ListSecrets)");
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var response = await invocation.Admin.ListSecretsAsync(cancellationToken);
            if (invocation.Output.IsJson)
            {
                AdminView.Json(invocation.Output, response);
            }
            else
            {
                AdminView.Secrets(invocation.Output, response.Secrets);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DeleteCommand(CommandRunner runner)
    {
        var name = NameArgument();
        var command = new Command("delete", "Delete a secret; tasks started afterwards that name it fail to start (DeleteSecret)") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            await invocation.Admin.DeleteSecretAsync(invocation.Get(name), cancellationToken);
            invocation.Output.Progress($"Deleted secret {invocation.Get(name)}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Show(Invocation invocation, SecretInfo secret)
    {
        if (invocation.Output.IsJson)
        {
            AdminView.Json(invocation.Output, secret);
            return;
        }

        AdminView.Secrets(invocation.Output, [secret]);
        invocation.Output.Progress($"valueFrom: {secret.Arn}");
    }
}
