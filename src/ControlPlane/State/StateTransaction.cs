using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.State;

/// <summary>
/// The changes of one write: reads see the state including the writes made so far; on commit every change is
/// stored in one SQLite transaction and published as one new snapshot.
/// </summary>
public sealed class StateTransaction
{
    private readonly List<StateChange> _changes = [];

    internal StateTransaction(StateSnapshot state) => State = state;

    public StateSnapshot State { get; private set; }

    internal IReadOnlyList<StateChange> Changes => _changes;

    public void Put(ClusterRecord cluster)
    {
        State = State.With(cluster);
        _changes.Add(new StateChange(Schema.Clusters, cluster.Name, cluster));
    }

    public void Put(TaskDefinition definition)
    {
        State = State.With(definition);
        _changes.Add(new StateChange(Schema.TaskDefinitions, definition.TaskDefinitionArn!, definition));
    }

    public void Put(InstanceRecord instance)
    {
        State = State.With(instance);
        _changes.Add(new StateChange(Schema.ContainerInstances, instance.Arn, instance));
    }

    public void Put(TaskRecord task)
    {
        State = State.With(task);
        _changes.Add(new StateChange(Schema.Tasks, task.Arn, task));
    }

    public void Put(ServiceRecord service)
    {
        State = State.With(service);
        _changes.Add(new StateChange(Schema.Services, service.Arn, service));
    }

    /// <summary>Replaces a resource's tags; an empty list removes them.</summary>
    public void PutTags(string arn, IReadOnlyList<Tag> tags)
    {
        State = State.WithTags(arn, tags);
        _changes.Add(new StateChange(Schema.Tags, arn, tags.Count == 0 ? null : tags));
    }

    public void Put(AccountSettingRecord setting)
    {
        State = State.With(setting);
        _changes.Add(new StateChange(Schema.AccountSettings, setting.Key, setting));
    }

    public void Delete(AccountSettingRecord setting)
    {
        State = State.Without(setting);
        _changes.Add(new StateChange(Schema.AccountSettings, setting.Key, null));
    }

    public void Put(ScheduleRecord schedule)
    {
        State = State.With(schedule);
        _changes.Add(new StateChange(Schema.Schedules, schedule.Key, schedule));
    }

    public void Delete(ScheduleRecord schedule)
    {
        State = State.Without(schedule);
        _changes.Add(new StateChange(Schema.Schedules, schedule.Key, null));
    }

    public void Put(ScalableTargetRecord target)
    {
        State = State.With(target);
        _changes.Add(new StateChange(Schema.ScalableTargets, target.Key, target));
    }

    public void Delete(ScalableTargetRecord target)
    {
        State = State.Without(target);
        _changes.Add(new StateChange(Schema.ScalableTargets, target.Key, null));
    }

    public void Put(CapacityProviderRecord provider)
    {
        State = State.With(provider);
        _changes.Add(new StateChange(Schema.CapacityProviders, provider.Name, provider));
    }

    public void Delete(CapacityProviderRecord provider)
    {
        State = State.Without(provider);
        _changes.Add(new StateChange(Schema.CapacityProviders, provider.Name, null));
    }

    public void Put(TargetGroupRecord group)
    {
        State = State.With(group);
        _changes.Add(new StateChange(Schema.TargetGroups, group.Name, group));
    }

    public void Delete(TargetGroupRecord group)
    {
        State = State.Without(group);
        _changes.Add(new StateChange(Schema.TargetGroups, group.Name, null));
    }

    public void Put(ListenerRecord listener)
    {
        State = State.With(listener);
        _changes.Add(new StateChange(Schema.Listeners, listener.Arn, listener));
    }

    public void Delete(ListenerRecord listener)
    {
        State = State.Without(listener);
        _changes.Add(new StateChange(Schema.Listeners, listener.Arn, null));
    }

    public void Delete(TaskRecord task)
    {
        State = State.Without(task);
        _changes.Add(new StateChange(Schema.Tasks, task.Arn, null));
    }
}

/// <summary>One stored entity that a write changed (deleted, when <see cref="Document"/> is null).</summary>
public sealed record StateChange(string Table, string Key, object? Document);
