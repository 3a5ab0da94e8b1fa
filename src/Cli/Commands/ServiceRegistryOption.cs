using System.CommandLine;
using System.Globalization;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Cli.Commands;

/// <summary><c>--service-registry registryArn=web,containerName=web,containerPort=80</c>: ECS's serviceRegistries in the AWS CLI's shorthand.</summary>
internal static class ServiceRegistryOption
{
    public static Option<ServiceRegistry[]> Create() => Shorthand.Option(
        "--service-registry",
        "registryArn=NAME|arn:aws:servicediscovery:…:service/srv-NAME[,containerName=C,containerPort=P][,port=P]: find the tasks at NAME.CLUSTER.orch.local",
        ["registryArn", "containerName", "containerPort", "port"],
        v => new ServiceRegistry
        {
            RegistryArn = v.GetValueOrDefault("registryArn"),
            ContainerName = v.GetValueOrDefault("containerName"),
            ContainerPort = Port(v, "containerPort"),
            Port = Port(v, "port"),
        });

    public static IReadOnlyList<ServiceRegistry>? Read(Invocation invocation, Option<ServiceRegistry[]> option) =>
        invocation.GetOptional(option) is { Length: > 0 } registries ? registries : null;

    private static int? Port(IReadOnlyDictionary<string, string> values, string key) =>
        !values.TryGetValue(key, out var text) ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port
        : throw new FormatException($"{key} must be a number, not '{text}'");
}
