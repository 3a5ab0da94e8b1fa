using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Contracts.Admin;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch activation create|list|revoke</c>: the one-time codes with which new hosts join a cluster (admin API).</summary>
internal static class ActivationCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("activation", "Create, list and revoke activations, with which new hosts join a cluster");
        command.Subcommands.Add(CreateCommand(runner));
        command.Subcommands.Add(ListCommand(runner));
        command.Subcommands.Add(RevokeCommand(runner));
        return command;
    }

    private static Command CreateCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        cluster.Description = "The cluster the hosts join";
        var expires = DurationOption.Create("--expires", "How long the activation can be used: 24h (the default) at most 720h");
        var maxRegistrations = new Option<int?>("--max-registrations") { Description = "How many hosts may join with it (default 1)", HelpName = "count" };
        maxRegistrations.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1)
            {
                result.AddError("--max-registrations must be at least 1.");
            }
        });
        var description = new Option<string?>("--description") { Description = "What the activation is for", HelpName = "text" };
        var command = new Command("create", "Create an activation and print the agent command that joins a host with it (CreateActivation)")
        {
            cluster, expires, maxRegistrations, description,
        };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new CreateActivationRequest
            {
                Cluster = invocation.Get(cluster),
                Description = invocation.GetOptional(description) ?? "",
                ExpiresInSeconds = (long)(invocation.GetOptional(expires)?.TotalSeconds ?? 0),
                MaxRegistrations = invocation.GetOptional(maxRegistrations) ?? 0,
            };
            var activation = await invocation.Admin.CreateActivationAsync(request, cancellationToken);
            if (invocation.Output.IsJson)
            {
                AdminView.Json(invocation.Output, activation);
            }
            else
            {
                AdminView.CreatedActivation(invocation.Output, activation);
            }

            var (fingerprint, problem) = await invocation.Admin.ClusterCaFingerprintAsync(cancellationToken);
            var joinedCluster = activation.Cluster is { Length: > 0 } name ? name : request.Cluster;
            var join = $"agent --endpoint {invocation.Admin.Endpoint.OriginalString} --cluster {joinedCluster} " +
                $"--activation-id {activation.ActivationId} --activation-code {activation.ActivationCode}" +
                (fingerprint is null ? "" : $" --ca-fingerprint {fingerprint}");
            invocation.Output.Progress("");
            invocation.Output.Progress("Join a host with:");
            invocation.Output.Progress(join);
            invocation.Output.Progress("or, from the unpacked bundle (installs the agent as a service and waits until it has registered):");
            invocation.Output.Progress("sudo ./install.sh " + join);
            if (problem is not null)
            {
                invocation.Output.Error($"The cluster CA's fingerprint is unknown ({problem}); give the agent --ca-fingerprint yourself.");
            }

            invocation.Output.Error("The activation code is shown only this once.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var command = new Command("list", "List the activations, without their codes (ListActivations)");
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var response = await invocation.Admin.ListActivationsAsync(cancellationToken);
            if (invocation.Output.IsJson)
            {
                AdminView.Json(invocation.Output, response, "activationCode");
            }
            else
            {
                AdminView.Activations(invocation.Output, response.Activations);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RevokeCommand(CommandRunner runner)
    {
        var id = new Argument<string>("activation-id") { Description = "The activation's ID" };
        var command = new Command("revoke", "Revoke an activation: no more hosts can join with it (RevokeActivation)") { id };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var activation = await invocation.Admin.RevokeActivationAsync(invocation.Get(id), cancellationToken);
            if (invocation.Output.IsJson)
            {
                AdminView.Json(invocation.Output, activation, "activationCode");
            }
            else
            {
                AdminView.Activations(invocation.Output, [activation]);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
