using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Ecs.Model;
using Attribute = Orchestrator.Ecs.Model.Attribute;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch attribute put|delete|list</c>: custom attributes of container instances, for memberOf constraints.</summary>
internal static class AttributeCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("attribute", "Set, remove and list container instance attributes");
        command.Subcommands.Add(PutCommand(runner));
        command.Subcommands.Add(DeleteCommand(runner));
        command.Subcommands.Add(ListCommand(runner));
        return command;
    }

    private static Command PutCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var instance = new Argument<string>("instance") { Description = "Container instance ID or ARN" };
        var attributes = new Argument<string[]>("attribute") { Description = "name=value, or name alone for an attribute without a value", Arity = ArgumentArity.OneOrMore };
        var command = new Command("put", "Set attributes on a container instance (PutAttributes)") { instance, attributes, cluster };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new PutAttributesRequest
            {
                Cluster = invocation.Get(cluster),
                Attributes = invocation.Get(attributes).Select(a => Parse(a, invocation.Get(instance))).ToList(),
            };
            var response = await invocation.Client.CallAsync<AttributesResponse>("PutAttributes", request, cancellationToken);
            Print(invocation.Output, response.Attributes, response);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DeleteCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var instance = new Argument<string>("instance") { Description = "Container instance ID or ARN" };
        var names = new Argument<string[]>("name") { Description = "Attribute names", Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", "Remove attributes from a container instance (DeleteAttributes)") { instance, names, cluster };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new DeleteAttributesRequest
            {
                Cluster = invocation.Get(cluster),
                Attributes = invocation.Get(names).Select(n => new Attribute { Name = n, TargetId = invocation.Get(instance), TargetType = "container-instance" }).ToList(),
            };
            var response = await invocation.Client.CallAsync<AttributesResponse>("DeleteAttributes", request, cancellationToken);
            Print(invocation.Output, response.Attributes, response);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var cluster = ClusterOption.Create();
        var name = new Option<string>("--name") { Description = "Only attributes with this name" };
        var value = new Option<string>("--value") { Description = "Only attributes with this value (needs --name)" };
        var command = new Command("list", "List the attributes of a cluster's container instances (ListAttributes)") { cluster, name, value };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var attributes = await Paging.ListAllAsync(async (nextToken, ct) =>
            {
                var page = await invocation.Client.CallAsync<ListAttributesResponse>("ListAttributes", new ListAttributesRequest
                {
                    Cluster = invocation.Get(cluster),
                    TargetType = "container-instance",
                    AttributeName = invocation.GetOptional(name),
                    AttributeValue = invocation.GetOptional(value),
                    NextToken = nextToken,
                }, ct);
                return (page.Attributes, page.NextToken);
            }, cancellationToken);
            Print(invocation.Output, attributes, new ListAttributesResponse(attributes, null));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Attribute Parse(string text, string instance)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return new Attribute
        {
            Name = equals < 0 ? text : text[..equals],
            Value = equals < 0 ? null : text[(equals + 1)..],
            TargetId = instance,
            TargetType = "container-instance",
        };
    }

    private static void Print<T>(CommandOutput output, IReadOnlyList<Attribute> attributes, T document)
    {
        if (output.IsJson)
        {
            output.Json(document);
            return;
        }

        var table = Tables.Create("INSTANCE", "NAME", "VALUE");
        foreach (var attribute in attributes)
        {
            table.Row(Formats.InstanceId(attribute.TargetId), attribute.Name, attribute.Value);
        }

        output.Write(table);
    }
}
