using System.Text.Json;
using Orchestrator.Ecs.Json;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.State;

/// <summary>
/// Turns stored documents back into a snapshot: at start (every document) and on a follower, for each change the
/// leader committed (a document put or deleted).
/// </summary>
public static class StateDocuments
{
    /// <summary>
    /// Every table of documents, in the order a full load applies them (tasks after the instances they hold resources
    /// on). A backend reads these; a table missing here would be written but never loaded again.
    /// </summary>
    public static readonly IReadOnlyList<string> Tables =
    [
        Schema.Clusters, Schema.TaskDefinitions, Schema.ContainerInstances, Schema.Tasks, Schema.Services, Schema.AccountSettings,
        Schema.Schedules, Schema.ScalableTargets, Schema.CapacityProviders, Schema.TargetGroups, Schema.Listeners, Schema.Tags,
    ];

    public static StateSnapshot Load(IEnumerable<StoredDocument> documents)
    {
        var byTable = documents.ToLookup(d => d.Table, StringComparer.Ordinal);
        var state = StateSnapshot.Empty;
        foreach (var table in Tables)
        {
            foreach (var document in byTable[table])
            {
                state = Apply(state, document);
            }
        }

        return state;
    }

    /// <summary>The state with one document stored (or deleted, when its JSON is null); an unknown table is ignored.</summary>
    public static StateSnapshot Apply(StateSnapshot state, StoredDocument document)
    {
        var (table, key, json) = document;
        if (json is null)
        {
            return table switch
            {
                Schema.Clusters => state with { Clusters = state.Clusters.Remove(key) },
                Schema.TaskDefinitions => state.TaskDefinitionByArn(key) is { } d
                    ? state with { TaskDefinitions = state.TaskDefinitions.Remove(new TaskDefinitionKey(d.Family, d.Revision)) }
                    : state,
                Schema.ContainerInstances => state with { Instances = state.Instances.Remove(key) },
                Schema.Tasks => state.Task(key) is { } task ? state.Without(task) : state,
                Schema.Services => state with { Services = state.Services.Remove(key) },
                Schema.AccountSettings => state with { AccountSettings = state.AccountSettings.Remove(key) },
                Schema.Schedules => state with { Schedules = state.Schedules.Remove(key) },
                Schema.ScalableTargets => state with { ScalableTargets = state.ScalableTargets.Remove(key) },
                Schema.CapacityProviders => state with { CapacityProviders = state.CapacityProviders.Remove(key) },
                Schema.TargetGroups => state with { TargetGroups = state.TargetGroups.Remove(key) },
                Schema.Listeners => state with { Listeners = state.Listeners.Remove(key) },
                Schema.Tags => state.WithTags(key, []),
                _ => state,
            };
        }

        return table switch
        {
            Schema.Clusters => state.With(Read<ClusterRecord>(json)),
            Schema.TaskDefinitions => state.With(Read<TaskDefinition>(json)),
            Schema.ContainerInstances => state.With(Read<InstanceRecord>(json)),
            Schema.Tasks => state.With(Read<TaskRecord>(json)),
            Schema.Services => state.With(Read<ServiceRecord>(json)),
            Schema.AccountSettings => state.With(Read<AccountSettingRecord>(json)),
            Schema.Schedules => state.With(Read<ScheduleRecord>(json)),
            Schema.ScalableTargets => state.With(Read<ScalableTargetRecord>(json)),
            Schema.CapacityProviders => state.With(Read<CapacityProviderRecord>(json)),
            Schema.TargetGroups => state.With(Read<TargetGroupRecord>(json)),
            Schema.Listeners => state.With(Read<ListenerRecord>(json)),
            Schema.Tags => state.WithTags(key, Read<List<Tag>>(json)),
            _ => state,
        };
    }

    public static string Serialize(object document) => JsonSerializer.Serialize(document, document.GetType(), EcsJson.Options);

    private static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, EcsJson.Options)!;
}
