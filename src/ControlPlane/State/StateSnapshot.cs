using System.Collections.Immutable;
using Orchestrator.ControlPlane.Networking;
using Orchestrator.Ecs.Model;

namespace Orchestrator.ControlPlane.State;

/// <summary>
/// An immutable view of the whole cluster state at one version. Readers take <see cref="StateStore.Current"/> and
/// never see a half-applied change; writers build the next snapshot inside <see cref="StateStore.WriteAsync{T}"/>.
/// </summary>
public sealed record StateSnapshot
{
    public static StateSnapshot Empty { get; } = new();

    public long Version { get; init; }
    public ImmutableSortedDictionary<string, ClusterRecord> Clusters { get; init; } = ImmutableSortedDictionary.Create<string, ClusterRecord>(StringComparer.Ordinal);
    public ImmutableSortedDictionary<TaskDefinitionKey, TaskDefinition> TaskDefinitions { get; init; } = ImmutableSortedDictionary.Create<TaskDefinitionKey, TaskDefinition>();
    public ImmutableSortedDictionary<string, InstanceRecord> Instances { get; init; } = ImmutableSortedDictionary.Create<string, InstanceRecord>(StringComparer.Ordinal);
    public ImmutableSortedDictionary<string, TaskRecord> Tasks { get; init; } = ImmutableSortedDictionary.Create<string, TaskRecord>(StringComparer.Ordinal);
    public ImmutableSortedDictionary<string, ServiceRecord> Services { get; init; } = ImmutableSortedDictionary.Create<string, ServiceRecord>(StringComparer.Ordinal);

    /// <summary>Tags by resource ARN (clusters, task definitions, tasks, container instances).</summary>
    public ImmutableDictionary<string, IReadOnlyList<Tag>> Tags { get; init; } = ImmutableDictionary.Create<string, IReadOnlyList<Tag>>(StringComparer.Ordinal);

    /// <summary>Per container instance ARN, the tasks that hold resources on it (placed and not yet STOPPED).</summary>
    public ImmutableDictionary<string, ImmutableHashSet<string>> TasksOnInstance { get; init; } = ImmutableDictionary.Create<string, ImmutableHashSet<string>>(StringComparer.Ordinal);

    /// <summary>Per cluster and RunTask clientToken (<see cref="TokenKey"/>), the tasks that call created.</summary>
    public ImmutableDictionary<string, ImmutableHashSet<string>> TasksByClientToken { get; init; } = ImmutableDictionary.Create<string, ImmutableHashSet<string>>(StringComparer.Ordinal);

    /// <summary>The subnets awsvpc tasks take addresses from (the control plane's configuration, not stored).</summary>
    public IReadOnlyList<Subnet> Subnets { get; init; } = [];

    /// <summary>
    /// The addresses awsvpc tasks hold (placed and not yet STOPPED, or stopped while their host was lost and not yet
    /// confirmed stopped by its agent), to the ARN of the task holding each.
    /// </summary>
    public ImmutableDictionary<string, string> Addresses { get; init; } = ImmutableDictionary.Create<string, string>(StringComparer.Ordinal);

    public StateSnapshot With(ClusterRecord cluster) => this with { Clusters = Clusters.SetItem(cluster.Name, cluster) };

    public StateSnapshot With(TaskDefinition definition) =>
        this with { TaskDefinitions = TaskDefinitions.SetItem(new TaskDefinitionKey(definition.Family, definition.Revision), definition) };

    public StateSnapshot With(ServiceRecord service) => this with { Services = Services.SetItem(service.Arn, service) };

    public ServiceRecord? Service(string arn) => Services.GetValueOrDefault(arn);

    public IEnumerable<ServiceRecord> ServicesIn(string clusterName) => Services.Values.Where(s => s.ClusterName == clusterName);

    /// <summary>The tasks a service started (group <c>service:&lt;name&gt;</c> in its cluster), stopped ones included.</summary>
    public IEnumerable<TaskRecord> TasksOf(ServiceRecord service)
    {
        var group = service.TaskGroup;
        return Tasks.Values.Where(t => t.ClusterName == service.ClusterName && t.Task.Group == group);
    }

    /// <summary>ECS account settings by <see cref="AccountSettingRecord.Key"/>: the account default and each principal's.</summary>
    public ImmutableSortedDictionary<string, AccountSettingRecord> AccountSettings { get; init; } =
        ImmutableSortedDictionary.Create<string, AccountSettingRecord>(StringComparer.Ordinal);

    public StateSnapshot With(AccountSettingRecord setting) => this with { AccountSettings = AccountSettings.SetItem(setting.Key, setting) };

    public StateSnapshot Without(AccountSettingRecord setting) => this with { AccountSettings = AccountSettings.Remove(setting.Key) };

    /// <summary>Scheduled tasks by <see cref="ScheduleRecord.Key"/> (group/name).</summary>
    public ImmutableSortedDictionary<string, ScheduleRecord> Schedules { get; init; } =
        ImmutableSortedDictionary.Create<string, ScheduleRecord>(StringComparer.Ordinal);

    public StateSnapshot With(ScheduleRecord schedule) => this with { Schedules = Schedules.SetItem(schedule.Key, schedule) };

    public StateSnapshot Without(ScheduleRecord schedule) => this with { Schedules = Schedules.Remove(schedule.Key) };

    /// <summary>Service auto scaling's scalable targets by <see cref="ScalableTargetRecord.Key"/> (service/CLUSTER/SERVICE).</summary>
    public ImmutableSortedDictionary<string, ScalableTargetRecord> ScalableTargets { get; init; } =
        ImmutableSortedDictionary.Create<string, ScalableTargetRecord>(StringComparer.Ordinal);

    public StateSnapshot With(ScalableTargetRecord target) => this with { ScalableTargets = ScalableTargets.SetItem(target.Key, target) };

    public StateSnapshot Without(ScalableTargetRecord target) => this with { ScalableTargets = ScalableTargets.Remove(target.Key) };

    /// <summary>Capacity providers by name.</summary>
    public ImmutableSortedDictionary<string, CapacityProviderRecord> CapacityProviders { get; init; } =
        ImmutableSortedDictionary.Create<string, CapacityProviderRecord>(StringComparer.Ordinal);

    public StateSnapshot With(CapacityProviderRecord provider) => this with { CapacityProviders = CapacityProviders.SetItem(provider.Name, provider) };

    public StateSnapshot Without(CapacityProviderRecord provider) => this with { CapacityProviders = CapacityProviders.Remove(provider.Name) };

    public CapacityProviderRecord? CapacityProvider(string name) => CapacityProviders.GetValueOrDefault(name);

    /// <summary>The built-in load balancer's target groups by name.</summary>
    public ImmutableSortedDictionary<string, TargetGroupRecord> TargetGroups { get; init; } =
        ImmutableSortedDictionary.Create<string, TargetGroupRecord>(StringComparer.Ordinal);

    /// <summary>The built-in load balancer's listener rules by ARN.</summary>
    public ImmutableSortedDictionary<string, ListenerRecord> Listeners { get; init; } =
        ImmutableSortedDictionary.Create<string, ListenerRecord>(StringComparer.Ordinal);

    public StateSnapshot With(TargetGroupRecord group) => this with { TargetGroups = TargetGroups.SetItem(group.Name, group) };

    public StateSnapshot Without(TargetGroupRecord group) => this with { TargetGroups = TargetGroups.Remove(group.Name) };

    public StateSnapshot With(ListenerRecord listener) => this with { Listeners = Listeners.SetItem(listener.Arn, listener) };

    public StateSnapshot Without(ListenerRecord listener) => this with { Listeners = Listeners.Remove(listener.Arn) };

    public StateSnapshot WithTags(string arn, IReadOnlyList<Tag> tags) =>
        this with { Tags = tags.Count == 0 ? Tags.Remove(arn) : Tags.SetItem(arn, tags) };

    public IReadOnlyList<Tag> TagsOf(string arn) => Tags.GetValueOrDefault(arn) ?? [];

    public StateSnapshot With(InstanceRecord instance) => this with { Instances = Instances.SetItem(instance.Arn, instance) };

    /// <summary>
    /// The state with the task stored. What it holds follows its status: once it is STOPPED its instance's resources
    /// and its address are free again. Taking an address another task holds is a bug, and throws.
    /// </summary>
    public StateSnapshot With(TaskRecord task)
    {
        var onInstance = TasksOnInstance;
        var addresses = Addresses;
        if (Tasks.TryGetValue(task.Arn, out var previous))
        {
            if (previous.HoldsResources)
            {
                onInstance = Remove(onInstance, previous.Task.ContainerInstanceArn!, task.Arn);
            }

            if (previous.HoldsAddress)
            {
                addresses = Release(addresses, previous);
            }
        }

        if (task.HoldsResources)
        {
            var instance = task.Task.ContainerInstanceArn!;
            onInstance = onInstance.SetItem(instance, onInstance.GetValueOrDefault(instance, ImmutableHashSet.Create<string>(StringComparer.Ordinal)).Add(task.Arn));
        }

        if (task.HoldsAddress)
        {
            var address = task.Address!.Ipv4Address;
            if (addresses.TryGetValue(address, out var holder))
            {
                throw new InvalidOperationException($"Task {task.Arn} cannot take the address {address}: task {holder} holds it.");
            }

            addresses = addresses.Add(address, task.Arn);
        }

        var tokens = TasksByClientToken;
        if (previous is null && task.ClientToken is { } token)
        {
            var key = TokenKey(task.ClusterName, token);
            tokens = tokens.SetItem(key, tokens.GetValueOrDefault(key, ImmutableHashSet.Create<string>(StringComparer.Ordinal)).Add(task.Arn));
        }

        return this with { Tasks = Tasks.SetItem(task.Arn, task), TasksOnInstance = onInstance, Addresses = addresses, TasksByClientToken = tokens };
    }

    /// <summary>The tasks a RunTask call with <paramref name="clientToken"/> created in the cluster, oldest ARN first.</summary>
    public IReadOnlyList<TaskRecord> TasksWithClientToken(string clusterName, string clientToken) =>
        TasksByClientToken.TryGetValue(TokenKey(clusterName, clientToken), out var arns) ? [.. arns.Order(StringComparer.Ordinal).Select(arn => Tasks[arn])] : [];

    private static string TokenKey(string clusterName, string clientToken) => clusterName + "\n" + clientToken;

    public StateSnapshot Without(TaskRecord task)
    {
        var onInstance = task.HoldsResources ? Remove(TasksOnInstance, task.Task.ContainerInstanceArn!, task.Arn) : TasksOnInstance;
        var tokens = task.ClientToken is { } token ? Remove(TasksByClientToken, TokenKey(task.ClusterName, token), task.Arn) : TasksByClientToken;
        return this with
        {
            Tasks = Tasks.Remove(task.Arn),
            TasksOnInstance = onInstance,
            Addresses = task.HoldsAddress ? Release(Addresses, task) : Addresses,
            TasksByClientToken = tokens,
        };
    }

    public Subnet? Subnet(string id) => Subnets.FirstOrDefault(s => s.Id == id);

    public ClusterRecord? Cluster(string name) => Clusters.GetValueOrDefault(name);

    public InstanceRecord? Instance(string arn) => Instances.GetValueOrDefault(arn);

    public TaskRecord? Task(string arn) => Tasks.GetValueOrDefault(arn);

    public TaskDefinition? TaskDefinition(string family, int revision) => TaskDefinitions.GetValueOrDefault(new TaskDefinitionKey(family, revision));

    public TaskDefinition? TaskDefinitionByArn(string arn)
    {
        var name = arn[(arn.LastIndexOf('/') + 1)..];
        var colon = name.LastIndexOf(':');
        return colon > 0 && int.TryParse(name[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var revision)
            ? TaskDefinition(name[..colon], revision)
            : null;
    }

    /// <summary>Every revision of a family, oldest first.</summary>
    public IEnumerable<TaskDefinition> Revisions(string family) =>
        TaskDefinitions.SkipWhile(p => string.CompareOrdinal(p.Key.Family, family) < 0).TakeWhile(p => p.Key.Family == family).Select(p => p.Value);

    public IEnumerable<TaskRecord> TasksOn(string instanceArn) =>
        TasksOnInstance.TryGetValue(instanceArn, out var arns) ? arns.Select(arn => Tasks[arn]) : [];

    public IEnumerable<InstanceRecord> InstancesIn(string clusterName) => Instances.Values.Where(i => i.ClusterName == clusterName);

    public IEnumerable<TaskRecord> TasksIn(string clusterName) => Tasks.Values.Where(t => t.ClusterName == clusterName);

    private static ImmutableDictionary<string, string> Release(ImmutableDictionary<string, string> addresses, TaskRecord task) =>
        task.Address is { } address && addresses.TryGetValue(address.Ipv4Address, out var holder) && holder == task.Arn
            ? addresses.Remove(address.Ipv4Address)
            : addresses;

    private static ImmutableDictionary<string, ImmutableHashSet<string>> Remove(
        ImmutableDictionary<string, ImmutableHashSet<string>> map, string instance, string task)
    {
        if (!map.TryGetValue(instance, out var set))
        {
            return map;
        }

        set = set.Remove(task);
        return set.IsEmpty ? map.Remove(instance) : map.SetItem(instance, set);
    }
}

/// <summary>Orders task definitions by family, then by revision number (ListTaskDefinitions' ASC order).</summary>
public readonly record struct TaskDefinitionKey(string Family, int Revision) : IComparable<TaskDefinitionKey>
{
    public int CompareTo(TaskDefinitionKey other)
    {
        var byFamily = string.CompareOrdinal(Family, other.Family);
        return byFamily != 0 ? byFamily : Revision.CompareTo(other.Revision);
    }
}
