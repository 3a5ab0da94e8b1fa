using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch cluster create|list</c>.</summary>
internal static class ClusterCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("cluster", "Create and list clusters");
        command.Subcommands.Add(CreateCommand(runner));
        command.Subcommands.Add(ListCommand(runner));
        return command;
    }

    private static Command CreateCommand(CommandRunner runner)
    {
        var name = new Argument<string>("name") { Description = "The cluster's name" };
        var command = new Command("create", "Create a cluster (CreateCluster)") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new CreateClusterRequest { ClusterName = invocation.Get(name) };
            var response = await invocation.Client.CallAsync<ClusterResponse>("CreateCluster", request, cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
            }
            else
            {
                ClusterView.Table(invocation.Output, [response.Cluster]);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var command = new Command("list", "List the clusters with their counts (ListClusters, DescribeClusters)");
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var client = invocation.Client;
            var arns = await Paging.ListAllAsync(async (nextToken, ct) =>
            {
                var page = await client.CallAsync<ListClustersResponse>("ListClusters", new ListRequest { NextToken = nextToken }, ct);
                return (page.ClusterArns, page.NextToken);
            }, cancellationToken);

            var chunks = await Paging.DescribeInChunksAsync(arns, (chunk, ct) =>
                client.CallAsync<DescribeClustersResponse>("DescribeClusters", new DescribeClustersRequest { Clusters = chunk }, ct),
                cancellationToken);
            var response = new DescribeClustersResponse([.. chunks.SelectMany(c => c.Clusters)], [.. chunks.SelectMany(c => c.Failures)]);

            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
            }
            else
            {
                ClusterView.Table(invocation.Output, response.Clusters);
                FailureView.Write(invocation.Output, response.Failures);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
