using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch instance list|describe</c>: the container instances (Docker hosts running an agent).</summary>
internal static class InstanceCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("instance", "List, describe, drain and activate container instances");
        command.Subcommands.Add(ListCommand(runner));
        command.Subcommands.Add(DescribeCommand(runner));
        command.Subcommands.Add(StateCommand(runner, "drain", ContainerInstanceStatus.Draining,
            "Move service tasks off these instances and place nothing new there (UpdateContainerInstancesState DRAINING)"));
        command.Subcommands.Add(StateCommand(runner, "activate", ContainerInstanceStatus.Active,
            "Let these instances take tasks again (UpdateContainerInstancesState ACTIVE)"));
        return command;
    }

    private static Command StateCommand(CommandRunner runner, string name, string status, string description)
    {
        var cluster = ClusterOption.Create();
        var instances = new Argument<string[]>("instance") { Description = "Container instance IDs or ARNs", Arity = ArgumentArity.OneOrMore };
        var command = new Command(name, description) { instances, cluster };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new UpdateContainerInstancesStateRequest { Cluster = invocation.Get(cluster), ContainerInstances = invocation.Get(instances), Status = status };
            var response = await invocation.Client.CallAsync<DescribeContainerInstancesResponse>("UpdateContainerInstancesState", request, cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
            }
            else
            {
                InstanceView.Table(invocation.Output, response.ContainerInstances);
                FailureView.Write(invocation.Output, response.Failures);
            }

            return response.Failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var command = new Command("list", "List container instances (ListContainerInstances, DescribeContainerInstances)") { cluster };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var clusterName = invocation.Get(cluster);
            var arns = await Paging.ListAllAsync(async (nextToken, ct) =>
            {
                var request = new ListContainerInstancesRequest { Cluster = clusterName, NextToken = nextToken };
                var page = await invocation.Client.CallAsync<ListContainerInstancesResponse>("ListContainerInstances", request, ct);
                return (page.ContainerInstanceArns, page.NextToken);
            }, cancellationToken);

            var response = await DescribeAsync(invocation.Client, clusterName, arns, cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
            }
            else if (response.ContainerInstances.Count == 0 && response.Failures.Count == 0)
            {
                invocation.Output.Line($"No container instances in cluster {clusterName}.");
            }
            else
            {
                InstanceView.Table(invocation.Output, response.ContainerInstances);
                FailureView.Write(invocation.Output, response.Failures);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DescribeCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var instances = new Argument<string[]>("instance") { Description = "Container instance IDs or ARNs", Arity = ArgumentArity.OneOrMore };
        var command = new Command("describe", "Show container instances with attributes and ports (DescribeContainerInstances)") { instances, cluster };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var response = await DescribeAsync(invocation.Client, invocation.Get(cluster), invocation.Get(instances), cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.Json(response);
            }
            else
            {
                for (var i = 0; i < response.ContainerInstances.Count; i++)
                {
                    if (i > 0)
                    {
                        invocation.Output.Line();
                    }

                    var instance = response.ContainerInstances[i];
                    InstanceView.Detail(invocation.Output, instance);
                    if (await invocation.Client.InstanceUsageAsync(invocation.Get(cluster), instance.ContainerInstanceArn!, cancellationToken) is { } usage)
                    {
                        invocation.Output.Line(Usage(usage, instance, invocation.Time.GetUtcNow()));
                    }
                }

                FailureView.Write(invocation.Output, response.Failures);
            }

            return response.Failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>The usage line: what the instance's task containers use, as its agent last reported.</summary>
    internal static string Usage(Contracts.Cluster.InstanceUsageReply usage, ContainerInstance instance, DateTimeOffset now)
    {
        if (!usage.Reported)
        {
            return "Usage:           not reported (agent not connected, no running containers, or stats sampling off)";
        }

        var memory = instance.RegisteredResources?.FirstOrDefault(r => r.Name == "MEMORY")?.IntegerValue;
        var cpus = (instance.RegisteredResources?.FirstOrDefault(r => r.Name == "CPU")?.IntegerValue ?? 0) / 1024.0;
        var age = now - usage.ReportedAt.ToDateTimeOffset();
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Usage:           CPU {usage.CpuPercent:0.0} % (of {cpus:0.#} CPUs: {usage.CpuPercent / Math.Max(cpus, 1):0.0} %), memory {usage.MemoryUsedBytes / 1048576.0:0.0} MiB{(memory is > 0 ? $" of {memory} MiB registered" : "")}, {usage.RunningContainers} running containers ({Math.Max(0, age.TotalSeconds):0} s ago)");
    }

    private static async Task<DescribeContainerInstancesResponse> DescribeAsync(
        EcsClient client, string cluster, IReadOnlyList<string> instances, CancellationToken cancellationToken)
    {
        var chunks = await Paging.DescribeInChunksAsync(instances, (chunk, ct) =>
            client.CallAsync<DescribeContainerInstancesResponse>(
                "DescribeContainerInstances", new DescribeContainerInstancesRequest { Cluster = cluster, ContainerInstances = chunk }, ct),
            cancellationToken);
        return new DescribeContainerInstancesResponse(
            [.. chunks.SelectMany(c => c.ContainerInstances)], [.. chunks.SelectMany(c => c.Failures)]);
    }
}
