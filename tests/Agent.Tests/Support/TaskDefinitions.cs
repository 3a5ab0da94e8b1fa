using System.Text.Json;
using Orchestrator.Agent.Engine;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Tests.Support;

/// <summary>Task definitions and the engine's RunTask commands.</summary>
internal static class TaskDefinitions
{
    public const string ClusterArn = "arn:aws:ecs:us-east-1:000000000000:cluster/default";

    public static string NewTaskArn() => $"arn:aws:ecs:us-east-1:000000000000:task/default/{Guid.NewGuid():N}";

    public static ContainerDefinition Container(string name, string image = "local/busybox:1", bool? essential = null, int? stopTimeout = null, params int[] containerPorts) => new()
    {
        Name = name,
        Image = image,
        Essential = essential,
        StopTimeout = stopTimeout,
        Command = ["sleep", "1000"],
        PortMappings = [.. containerPorts.Select(p => new PortMapping { ContainerPort = p, HostPort = 0, Protocol = "tcp" })],
    };

    public static TaskDefinition Definition(params ContainerDefinition[] containers) => new()
    {
        Family = "web",
        Revision = 3,
        NetworkMode = NetworkModes.Bridge,
        ContainerDefinitions = containers,
    };

    public static RunTaskCommand RunTask(TaskDefinition definition, string? taskArn = null, TaskOverride? overrides = null) => new()
    {
        TaskArn = taskArn ?? NewTaskArn(),
        ClusterArn = ClusterArn,
        TaskDefinitionJson = JsonSerializer.Serialize(definition, EcsJson.Options),
        OverridesJson = overrides is null ? "" : JsonSerializer.Serialize(overrides, EcsJson.Options),
    };

    /// <summary>A RunTask as the control plane sends it over the session.</summary>
    public static Contracts.Agent.RunTask WireRunTask(TaskDefinition definition) => new()
    {
        TaskArn = NewTaskArn(),
        ClusterArn = ClusterArn,
        TaskDefinitionJson = JsonSerializer.Serialize(definition, EcsJson.Options),
    };
}
