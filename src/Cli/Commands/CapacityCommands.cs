using System.CommandLine;
using System.Globalization;
using Orchestrator.Cli.Output;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orch capacity list|describe</c>: capacity providers (DescribeCapacityProviders) and each one's
/// CapacityProviderReservation in its cluster (the control plane's DescribeCapacityProviderReservations, not an ECS action).
/// </summary>
internal static class CapacityCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("capacity", "Capacity providers and their reservation");
        command.Subcommands.Add(ListCommand(runner));
        command.Subcommands.Add(DescribeCommand(runner));
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var command = new Command("list", "List the capacity providers (DescribeCapacityProviders)");
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var providers = await Paging.ListAllAsync(async (nextToken, ct) =>
            {
                var page = await invocation.Client.CallAsync<DescribeCapacityProvidersResponse>("DescribeCapacityProviders",
                    new DescribeCapacityProvidersRequest { NextToken = nextToken }, ct);
                return (page.CapacityProviders, page.NextToken);
            }, cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(new DescribeCapacityProvidersResponse(providers, [], null));
                return ExitCodes.Success;
            }

            var table = Tables.Create("NAME", "GROUP", "SCALING", "TARGET", "PROTECTION");
            foreach (var provider in providers)
            {
                var group = provider.AutoScalingGroupProvider;
                table.Row(provider.Name, group?.AutoScalingGroupArn, group?.ManagedScaling?.Status,
                    group?.ManagedScaling?.TargetCapacity?.ToString(CultureInfo.InvariantCulture), group?.ManagedTerminationProtection);
            }

            invocation.Output.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DescribeCommand(CommandRunner runner)
    {
        var cluster = new Option<string>("--cluster") { Description = "Only this cluster's providers (default: every cluster)" };
        var command = new Command("describe", "Each attached provider's reservation: M (instances needed) / N (instances) × 100, and the count managed scaling asks for") { cluster };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var response = await invocation.Client.CallAsync<CapacityProviderReservationsResponse>("DescribeCapacityProviderReservations",
                new DescribeCapacityProvidersRequest { Cluster = invocation.GetOptional(cluster) }, cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
                return ExitCodes.Success;
            }

            var table = Tables.Create("CLUSTER", "PROVIDER", "RESERVATION", "M", "N", "UNPLACED", "DESIRED", "REMOVE");
            foreach (var r in response.Reservations)
            {
                table.Row(r.ClusterName, r.CapacityProvider, r.Value.ToString("0.##", CultureInfo.InvariantCulture) + "%",
                    r.InstancesNeeded.ToString(CultureInfo.InvariantCulture), r.Instances.ToString(CultureInfo.InvariantCulture),
                    r.UnplacedTasks.ToString(CultureInfo.InvariantCulture), r.DesiredInstances.ToString(CultureInfo.InvariantCulture),
                    string.Join(' ', (r.RemoveInstances ?? []).Select(Formats.InstanceId)));
            }

            invocation.Output.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
