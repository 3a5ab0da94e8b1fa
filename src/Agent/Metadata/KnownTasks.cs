using Orchestrator.Agent.State;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.Agent.Metadata;

/// <summary>A task the agent knows, with its definition read.</summary>
public sealed record KnownTask(StoredTask Record, TaskDefinition? Definition)
{
    public ContainerDefinition? ContainerDefinition(string name) => Definition?.ContainerDefinitions.FirstOrDefault(c => c.Name == name);
}

/// <summary>
/// The agent's tasks as the metadata endpoint and the introspection API read them: from <see cref="AgentStore"/>
/// (what the engine last persisted), and for the metadata endpoint by container token.
/// </summary>
public sealed class KnownTasks(AgentStore store, MetadataTokens tokens)
{
    public IReadOnlyList<KnownTask> All() => [.. store.LoadTasks().Select(t => new KnownTask(t, Parse(t.TaskDefinitionJson)))];

    /// <summary>A task by ARN, or null.</summary>
    public KnownTask? ByArn(string taskArn) =>
        store.LoadTasks().FirstOrDefault(t => t.TaskArn == taskArn) is { } task ? new KnownTask(task, Parse(task.TaskDefinitionJson)) : null;

    /// <summary>The task and container a metadata token belongs to, or null.</summary>
    public (KnownTask Task, ContainerRecord Container)? ByToken(string token)
    {
        if (token.Length != 32)
        {
            return null;
        }

        foreach (var task in store.LoadTasks())
        {
            foreach (var container in task.Containers)
            {
                if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                        System.Text.Encoding.ASCII.GetBytes(tokens.For(task.TaskArn, container.Name)), System.Text.Encoding.ASCII.GetBytes(token)))
                {
                    return (new KnownTask(task, Parse(task.TaskDefinitionJson)), container);
                }
            }
        }

        return null;
    }

    private static TaskDefinition? Parse(string json)
    {
        try
        {
            return EcsJson.Deserialize<TaskDefinition>(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
